#include "compiler/run_fields.h"

#include <algorithm>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "compiler/input_names.h"

namespace df::compiler {
namespace {

std::string escaped(std::string_view field) {
    std::string out;
    for (const char c : field) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::string number(const std::optional<int>& n) {
    return n ? std::to_string(*n) : std::string();
}
std::string flag(bool f) {
    return f ? "1" : "";
}

// The declared outputs that reach later command steps as environment variables, by the rule of inputs:
// under their name when it could be an input's name, and in upper case unless steps rely on that name;
// never under a name an input or a `## Requires` variable has. "name:ALIAS" (or "name:") per output,
// space-separated.
std::set<std::string> taken_env(const Manifest& m) {
    std::set<std::string> taken(m.workflow.requirements.env.begin(), m.workflow.requirements.env.end());
    for (const auto& in : m.workflow.inputs) {
        taken.insert(in.name);
        if (!in.env_alias.empty()) taken.insert(in.env_alias);
    }
    return taken;
}

std::string env_taken(const Manifest& m) {
    std::string out;
    for (const auto& name : taken_env(m)) out += (out.empty() ? "" : " ") + name;
    return out;
}

std::string output_env(const Manifest& m) {
    const std::set<std::string> taken = taken_env(m);
    std::string out;
    for (const auto& o : m.workflow.outputs) {
        if (input_name_problem(o.name) || taken.count(o.name) != 0) continue;
        const std::string upper = upper_case(o.name);
        const bool alias = !env_name_steps_rely_on(upper) && taken.count(upper) == 0;
        out += (out.empty() ? "" : " ") + o.name + ":" + (alias ? upper : "");
    }
    return out;
}

// The run's fields. A field's name is what lib/manifest.sh reads it by; adding one here and reading it
// there by that name is all a new field takes.
template <class T>
struct Field {
    std::string_view name;
    std::string (*value)(const T&);
};

const Field<Manifest> kRunFields[] = {
    {"name", [](const Manifest& m) { return m.workflow.name; }},
    {"version", [](const Manifest& m) { return m.version; }},
    {"title", [](const Manifest& m) { return m.workflow.title; }},
    {"run_timeout_seconds", [](const Manifest& m) { return number(m.workflow.policy.run_timeout_seconds); }},
    {"step_timeout_seconds",
     [](const Manifest& m) { return number(m.workflow.policy.step_timeout_seconds); }},
    {"retries", [](const Manifest& m) { return std::to_string(m.workflow.policy.retries); }},
    {"retry_delay_seconds",
     [](const Manifest& m) { return std::to_string(m.workflow.policy.retry_delay_seconds); }},
    {"approval", [](const Manifest& m) { return flag(m.workflow.policy.approval.has_value()); }},
    {"approval_when_input",
     [](const Manifest& m) {
         const auto& a = m.workflow.policy.approval;
         return a ? a->when_input : "";
     }},
    {"approval_equals",
     [](const Manifest& m) {
         const auto& a = m.workflow.policy.approval;
         return a ? a->equals : "";
     }},
    {"approval_timeout_seconds",
     [](const Manifest& m) {
         const auto& a = m.workflow.policy.approval;
         return a ? std::to_string(a->timeout_seconds) : "";
     }},
    {"rate_limit_max_runs",
     [](const Manifest& m) {
         const auto& r = m.workflow.policy.rate_limit;
         return r ? std::to_string(r->max_runs) : "";
     }},
    {"rate_limit_window_seconds",
     [](const Manifest& m) {
         const auto& r = m.workflow.policy.rate_limit;
         return r ? std::to_string(r->window_seconds) : "";
     }},
    {"rate_limit_key_input",
     [](const Manifest& m) {
         const auto& r = m.workflow.policy.rate_limit;
         return r ? r->key_input : "";
     }},
    {"concurrency_max_runs",
     [](const Manifest& m) {
         const auto& c = m.workflow.policy.concurrency;
         return c ? std::to_string(c->max_runs) : "";
     }},
    {"concurrency_key_input",
     [](const Manifest& m) {
         const auto& c = m.workflow.policy.concurrency;
         return c ? c->key_input : "";
     }},
    {"auto_rollback", [](const Manifest& m) { return flag(m.workflow.policy.auto_rollback); }},
    {"max_parallel_steps", [](const Manifest& m) { return number(m.workflow.policy.max_parallel_steps); }},
    // Set when a step has `Needs:`: the run then starts each step when the steps it needs have succeeded.
    {"parallel",
     [](const Manifest& m) {
         const auto& s = m.workflow.steps;
         return flag(std::any_of(s.begin(), s.end(), [](const Step& x) { return x.needs.has_value(); }));
     }},
    {"history_days", [](const Manifest& m) { return std::to_string(m.workflow.policy.history_days); }},
    {"history_runs", [](const Manifest& m) { return std::to_string(m.workflow.policy.history_runs); }},
    {"steps", [](const Manifest& m) { return std::to_string(m.workflow.steps.size()); }},
    {"rollback", [](const Manifest& m) { return std::to_string(m.workflow.rollback.size()); }},
    {"on_failure", [](const Manifest& m) { return std::to_string(m.workflow.on_failure.size()); }},
    {"inputs", [](const Manifest& m) { return std::to_string(m.workflow.inputs.size()); }},
    {"output_env", output_env},
    // The rule of inputs, for the outputs no `## Outputs` declares (lib/steps.sh, df_output_env): the
    // names they never take (inputs, their aliases, `## Requires` variables) and the two regexes.
    {"env_taken", env_taken},
    {"env_rely_re", [](const Manifest&) { return env_rely_regex(); }},
    {"env_loader_re", [](const Manifest&) { return loader_families_regex(); }},
    {"json_name", [](const Manifest& m) { return jq_quote(m.workflow.name); }},
    {"json_version", [](const Manifest& m) { return jq_quote(m.version); }},
};

const Field<Step> kStepFields[] = {
    {"id", [](const Step& s) { return s.id; }},
    {"kind", [](const Step& s) { return std::string(to_string(s.kind)); }},
    {"title", [](const Step& s) { return s.title; }},
    {"timeout_seconds", [](const Step& s) { return number(s.timeout_seconds); }},
    {"retries", [](const Step& s) { return number(s.retries); }},
    {"commands", [](const Step& s) { return s.commands; }},
    // The ids of `Needs:`, space-separated (ids are slugs); empty for `Needs: none`; "-" without the bullet
    // (the step follows the one before it).
    {"needs",
     [](const Step& s) {
         if (!s.needs) return std::string("-");
         std::string out;
         for (const auto& id : *s.needs) out += (out.empty() ? "" : " ") + id;
         return out;
     }},
    {"undoes", [](const Step& s) { return s.undoes; }},
    // `For each: item in $list`: the variable and the input (empty: the step runs once); `Continue on error`.
    {"foreach_var", [](const Step& s) { return s.foreach_var; }},
    {"foreach_list", [](const Step& s) { return s.foreach_list; }},
    {"continue_on_error", [](const Step& s) { return flag(s.continue_on_error); }},
    // `Approval: required`: "1" or empty; the approvers space-separated (names have no spaces); the wait.
    {"approval", [](const Step& s) { return flag(s.approval); }},
    {"approvers",
     [](const Step& s) {
         std::string out;
         for (const auto& a : s.approvers) out += (out.empty() ? "" : " ") + a;
         return out;
     }},
    {"approval_timeout", [](const Step& s) { return number(s.approval_timeout_seconds); }},
    // `If:`: its left side (empty without one), `==` or `!=`, and the text compared with.
    {"if_left", [](const Step& s) { return s.condition ? s.condition->left : ""; }},
    {"if_op", [](const Step& s) { return std::string(s.condition && !s.condition->equals ? "!=" : "=="); }},
    {"if_right", [](const Step& s) { return s.condition ? s.condition->right : ""; }},
    // `Uses:`: the child's skill name (its folder is children/<uses>; empty: no child), and `With:` as a
    // compact JSON object of name → template as written (lib/children.sh fills in the values with jq).
    {"uses", [](const Step& s) { return s.uses_skill; }},
    {"with",
     [](const Step& s) {
         std::string out;
         for (const auto& [name, value] : s.with)
             out += (out.empty() ? "" : ",") + jq_quote(name) + ":" + jq_quote(value);
         return "{" + out + "}";
     }},
    {"json_id", [](const Step& s) { return jq_quote(s.id); }},
    {"json_title", [](const Step& s) { return jq_quote(s.title); }},
    {"json_kind", [](const Step& s) { return jq_quote(to_string(s.kind)); }},
};

// `name` first: the executor keys the other fields by it.
const Field<Input> kInputFields[] = {
    {"name", [](const Input& in) { return in.name; }},
    {"type", [](const Input& in) { return std::string(to_string(in.type)); }},
    {"required", [](const Input& in) { return flag(in.required); }},
    {"has_default", [](const Input& in) { return flag(in.default_value.has_value()); }},
    {"default", [](const Input& in) { return in.default_value.value_or(""); }},
    {"secret", [](const Input& in) { return flag(in.secret); }},
    {"env_alias", [](const Input& in) { return in.env_alias; }},
    // Each choice followed by a newline: what the executor's choice check looks for.
    {"choices",
     [](const Input& in) {
         std::string out;
         for (const auto& c : in.choices) out += c + "\n";
         return out;
     }},
};

template <class T, std::size_t N>
void add_names(std::string& text, std::string_view what, const Field<T> (&fields)[N]) {
    text += what;
    for (const auto& f : fields) text.append(" ").append(f.name);
    text += '\n';
}

template <class T, std::size_t N>
void add_values(std::string& text, const T& of, const Field<T> (&fields)[N]) {
    for (const auto& f : fields) text.append(escaped(f.value(of))).push_back('\n');
}

}  // namespace

std::string jq_quote(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\r':
                out += "\\r";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
                    out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
                } else {
                    out.push_back(c);
                }
        }
    }
    out.push_back('"');
    return out;
}

std::string run_fields(const Manifest& m) {
    std::string text(kRunFieldsHeader);
    text += '\n';
    add_names(text, "run", kRunFields);
    add_names(text, "step", kStepFields);
    add_names(text, "input", kInputFields);
    add_values(text, m, kRunFields);
    for (const auto& s : m.workflow.steps) add_values(text, s, kStepFields);
    for (const auto& s : m.workflow.rollback) add_values(text, s, kStepFields);
    for (const auto& s : m.workflow.on_failure) add_values(text, s, kStepFields);
    for (const auto& in : m.workflow.inputs) add_values(text, in, kInputFields);
    return text;
}

}  // namespace df::compiler
