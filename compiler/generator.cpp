#include "compiler/generator.h"

#include <fmt/format.h>
#include <kainjow/mustache.hpp>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "common/json.h"
#include "common/text.h"
#include "compiler/graph.h"
#include "compiler/markdown.h"
#include "compiler/render.h"
#include "compiler/run_fields.h"
#include "compiler/runtime_files.h"
#include "compiler/service.h"

namespace df::compiler {
namespace {

using kainjow::mustache::data;

std::string metadata_json(const Workflow& wf) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<>, rapidjson::ASCII<>> w(buffer);
    auto strings = [&](const std::vector<std::string>& list) {
        w.StartArray();
        for (const auto& s : list) w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
        w.EndArray();
    };
    std::vector<std::string> bins = runtime_bins();
    for (const auto& b : wf.requirements.bins) {
        if (std::find(bins.begin(), bins.end(), b) == bins.end()) bins.push_back(b);
    }
    w.StartObject();
    w.Key("openclaw");
    w.StartObject();
    w.Key("os");
    strings({"linux", "darwin"});
    w.Key("requires");
    w.StartObject();
    w.Key("bins");
    strings(bins);
    w.Key("env");
    strings(wf.requirements.env);
    w.EndObject();
    w.EndObject();
    w.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

// Our Markdown back to plain text: backslash escapes removed, whitespace collapsed.
std::string unescape_markdown(std::string_view md) {
    std::string out;
    for (std::size_t i = 0; i < md.size(); ++i) {
        if (md[i] == '\\' && i + 1 < md.size() && std::ispunct(static_cast<unsigned char>(md[i + 1]))) ++i;
        out += md[i];
    }
    return collapse_whitespace(out);
}

std::string shell_quote(std::string_view s) {
    const bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) ||
               std::string_view("_-./:@%+=,").find(c) != std::string_view::npos;
    });
    if (plain) return std::string(s);
    std::string out = "'";
    for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string run_example(const Workflow& wf) {
    std::string out;
    for (const auto& in : wf.inputs) {
        const auto example = std::find_if(wf.example_inputs.begin(), wf.example_inputs.end(),
                                          [&](const auto& kv) { return kv.first == in.name; });
        if (example != wf.example_inputs.end()) {
            out += fmt::format(" --{} {}", in.name, shell_quote(example->second));
        } else if (in.required) {
            out +=
                fmt::format(" --{} {}", in.name, in.secret ? "\"$" + in.name + "\"" : std::string("VALUE"));
        }
    }
    return out;
}

std::string step_policy(const Step& s) {
    std::vector<std::string> parts;
    if (s.timeout_seconds) parts.push_back(fmt::format("times out after {} s", *s.timeout_seconds));
    if (s.retries)
        parts.push_back(fmt::format("retried up to {} time{}", *s.retries, *s.retries == 1 ? "" : "s"));
    if (parts.empty()) return {};
    return "Enforced for this step: " + fmt::format("{}", fmt::join(parts, "; ")) + ".";
}

// ", with `branch=$branch`, `mode=fast`": a child-workflow step's inputs, as written.
std::string with_text(const Step& s) {
    std::vector<std::string> pairs;
    for (const auto& [name, value] : s.with) pairs.push_back(code_span(name + "=" + value));
    return pairs.empty() ? std::string() : fmt::format(" with {}", fmt::join(pairs, ", "));
}

data step_data(const Step& s, bool compact) {
    data d;
    d.set("number", std::to_string(s.number));
    d.set("title", escape_markdown(s.title));
    d.set("kind", std::string(to_string(s.kind)));
    d.set("kind_line",
          s.kind == StepKind::command
              ? fmt::format("*Command step* (id {}): `run` executes the commands below.", code_span(s.id))
          : s.kind == StepKind::workflow
              ? fmt::format("*Child workflow step* (id {}): `run` runs the workflow {} (its skill folder is "
                            "`children/{}`){}.",
                            code_span(s.id), code_span(s.uses_skill), s.uses_skill, with_text(s))
              : fmt::format("*Agent step* (id {}): you carry it out.", code_span(s.id)));
    // Every key is set in every item: mustache would otherwise find the workflow's key of the same name.
    d.set("description", s.description.empty() ? data(false) : data(s.description));
    data instructions = data::type::list;
    for (const auto& i : s.instructions) {
        data item;
        // A multi-line instruction keeps its nested lines under the bullet.
        std::string text;
        for (std::size_t at = 0; at < i.size(); ++at) {
            text += i[at];
            if (i[at] == '\n' && at + 1 < i.size()) text += "  ";
        }
        item.set("text", text);
        instructions.push_back(item);
    }
    d.set("instructions", instructions);
    d.set("has_instructions", !s.instructions.empty());
    d.set("commands", false);
    if (!s.commands.empty()) {
        d.set("commands", compact ? fmt::format("The commands ({} lines) are in `skill.json`; "
                                                "`run --dry-run --step {}` shows them.",
                                                std::count(s.commands.begin(), s.commands.end(), '\n'), s.id)
                                  : code_fence(s.commands, "sh"));
    }
    data samples = data::type::list;
    if (!compact) {
        for (const auto& sample : s.samples) {
            data item;
            item.set("code", code_fence(sample.code, sample.language));
            samples.push_back(item);
        }
    }
    d.set("samples", samples);
    const auto policy = step_policy(s);
    d.set("policy", policy.empty() ? data(false) : data(policy));
    return d;
}

data inputs_data(const Workflow& wf) {
    data list = data::type::list;
    for (const auto& in : wf.inputs) {
        data d;
        d.set("name", code_span(in.name));
        d.set("required", in.required ? "yes" : "no");
        d.set("default", in.default_value ? code_span(*in.default_value) : "");
        std::string description = in.description;
        if (in.type == InputType::choice) {
            std::vector<std::string> spans;
            for (const auto& c : in.choices) spans.push_back(code_span(c));
            description +=
                fmt::format("{}One of {}.", description.empty() ? "" : " ", fmt::join(spans, ", "));
        } else if (in.type != InputType::string) {
            description += fmt::format("{}({})", description.empty() ? "" : " ", to_string(in.type));
        }
        if (in.secret) description += description.empty() ? "Secret." : " Secret: never logged.";
        // Inside a table cell a '|' would end the cell, even inside a code span.
        std::string cell;
        for (const char c : description)
            cell += c == '|' && (cell.empty() || cell.back() != '\\') ? "\\|" : std::string(1, c);
        d.set("description", cell);
        list.push_back(d);
    }
    return list;
}

std::string trigger_text(const Trigger& t, const ServiceInfo& service) {
    if (t.kind == Trigger::Kind::http) {
        return fmt::format(
            "HTTP: `POST {}` on the running service, with the inputs as a JSON object (needs the "
            "trigger token or an HMAC signature)",
            service.run_hook);
    }
    std::string text = fmt::format("cron {}", code_span(t.schedule));
    if (t.written != t.schedule) text += fmt::format(" (written {})", code_span(t.written));
    if (!t.inputs.empty()) {
        std::vector<std::string> pairs;
        for (const auto& [k, v] : t.inputs) pairs.push_back(code_span(k + "=" + v));
        text += fmt::format(" with {}", fmt::join(pairs, ", "));
    }
    return text;
}

// Mustache leaves blank lines where sections were empty; Markdown wants at most one.
std::string tidy(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 1);
    for (std::size_t at = 0; at < text.size();) {
        const auto blank_lines = text.find("\n\n\n", at);
        if (blank_lines == std::string_view::npos) {
            out.append(text.substr(at));
            break;
        }
        out.append(text.substr(at, blank_lines + 2 - at));
        at = std::min(text.find_first_not_of('\n', blank_lines), text.size());
    }
    while (!out.empty() && out.back() == '\n') out.pop_back();
    out += '\n';
    return out;
}

// Everything the templates show except the steps (set_steps): SKILL.md and README.md share it.
data skill_data(const Manifest& m) {
    const Workflow& wf = m.workflow;
    data d;
    d.set("name", wf.name);
    d.set("description_yaml", json::quote_ascii(short_description(wf)));  // a YAML scalar too
    d.set("metadata_json", metadata_json(wf));
    d.set("title", escape_markdown(wf.title));
    d.set("description", wf.description.empty() ? escape_markdown(short_description(wf)) : wf.description);
    d.set("inputs", inputs_data(wf));
    if (!wf.inputs.empty()) d.set("has_inputs", true);
    data outputs = data::type::list;
    for (const auto& o : wf.outputs) {
        data od;
        od.set("name", code_span(o.name));
        od.set("description", o.description);
        outputs.push_back(od);
    }
    d.set("outputs", outputs);
    if (!wf.outputs.empty()) d.set("has_outputs", true);
    data enforced = data::type::list, advice = data::type::list, all = data::type::list;
    for (const auto& g : wf.guardrails) {
        data gd;
        gd.set("text", escape_markdown(g.text));
        gd.set("interpretation", escape_markdown(g.interpretation));
        gd.set("status", g.enforced ? "enforced" : "advice");
        (g.enforced ? enforced : advice).push_back(gd);
        all.push_back(gd);
    }
    d.set("enforced", enforced);
    d.set("advice", advice);
    d.set("guardrails", all);
    if (!enforced.is_empty_list()) d.set("has_enforced", true);
    if (!advice.is_empty_list()) d.set("has_advice", true);
    if (!wf.guardrails.empty()) d.set("has_guardrails", true);
    if (!wf.error_handling.empty()) d.set("error_handling", wf.error_handling);
    if (!wf.rollback.empty()) {
        d.set("has_rollback", true);
        d.set("rollback_intro",
              wf.policy.auto_rollback
                  ? "These steps run automatically, in order, after any step fails (auto-rollback)."
                  : "These steps undo the workflow. Auto-rollback is off: run them only when asked.");
    }
    data notes = data::type::list;
    for (const auto& n : wf.notes) {
        data nd;
        nd.set("title", escape_markdown(n.title));
        nd.set("text", n.text);
        notes.push_back(nd);
    }
    d.set("notes", notes);
    if (!wf.notes.empty()) d.set("has_notes", true);
    data triggers = data::type::list;
    bool has_cron = false;
    for (const auto& t : wf.triggers) {
        data td;
        td.set("text", trigger_text(t, m.service));
        triggers.push_back(td);
        has_cron |= t.kind == Trigger::Kind::cron;
    }
    d.set("triggers", triggers);
    if (has_cron) d.set("has_cron", true);
    d.set("run_example", run_example(wf));
    d.set("compiler_version", m.compiler_version);
    d.set("source", m.source_path.empty() ? std::string("standard input") : code_span(m.source_path));
    d.set("port", std::to_string(m.service.port));
    d.set("run_hook", m.service.run_hook);
    d.set("status_hook", m.service.status_hook);
    d.set("approve_hook", m.service.approve_hook);
    d.set("health_hook", m.service.health_hook);
    d.set("runs_hook", m.service.runs_hook);
    d.set("metrics_hook", m.service.metrics_hook);
    return d;
}

// The steps and rollback steps, in full or compact (commands left to skill.json): all that differs between
// SKILL.md and README.md, or a SKILL.md close to OpenClaw's size limit.
void set_steps(data& d, const Workflow& wf, bool compact) {
    data steps = data::type::list;
    for (const auto& s : wf.steps) steps.push_back(step_data(s, compact));
    d["steps"] = std::move(steps);
    data rollback = data::type::list;
    for (const auto& s : wf.rollback) rollback.push_back(step_data(s, compact));
    d["rollback"] = std::move(rollback);
}

}  // namespace

const std::vector<std::string>& runtime_bins() {
    // What `run` and lib/*.sh call: jq for JSON, curl for agent steps, flock and setsid (util-linux) for
    // slots, ledgers and process groups, timeout (coreutils) for time limits.
    static const std::vector<std::string> bins = {"bash", "jq", "curl", "flock", "setsid", "timeout"};
    return bins;
}

std::string short_description(const Workflow& wf) {
    // The first paragraph that says something: a rule ("***") or a lone symbol is no description.
    std::string text;
    for (std::size_t at = 0; at < wf.description.size() && text.empty();) {
        const auto end = std::min(wf.description.find("\n\n", at), wf.description.size());
        const std::string paragraph =
            unescape_markdown(std::string_view(wf.description).substr(at, end - at));
        const auto says = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
        if (std::any_of(paragraph.begin(), paragraph.end(), says)) text = paragraph;
        at = end + 2;
    }
    if (text.empty()) text = fmt::format("Runs the {} workflow.", wf.title);
    constexpr std::size_t limit = 160;
    if (text.size() <= limit) return text;
    const auto sentence = text.rfind(". ", limit - 1);
    if (sentence != std::string::npos && sentence > 40) return text.substr(0, sentence + 1);
    return truncate_utf8(text, limit);
}

std::vector<GeneratedFile> generate_skill(const Manifest& m, Diagnostics& diags, Generate what) {
    std::vector<GeneratedFile> files;
    data d = skill_data(m);
    set_steps(d, m.workflow, false);
    const std::string graph = to_mermaid(build_graph(m.workflow));
    d.set("graph", graph);
    std::string skill = tidy(render_template("SKILL.md.mustache", d));
    bool compact = false;
    if (skill.size() > kMaxSkillFileBytes * 8 / 10) {
        diags.warning(
            {}, fmt::format("SKILL.md would be {} bytes, close to OpenClaw's limit of {} bytes: its steps "
                            "show no commands (they are in skill.json)",
                            skill.size(), kMaxSkillFileBytes));
        compact = true;
        set_steps(d, m.workflow, compact);
        d.set("graph", false);  // close to the limit, the picture goes before the words
        skill = tidy(render_template("SKILL.md.mustache", d));
    }
    if (skill.size() > kMaxSkillFileBytes) {
        diags.error({},
                    fmt::format("SKILL.md would be {} bytes, over OpenClaw's limit of {} bytes: split the "
                                "workflow or shorten its text",
                                skill.size(), kMaxSkillFileBytes));
    }
    files.push_back({"SKILL.md", std::move(skill), 0644});
    if (what == Generate::diagnostics) {
        generate_service(m, diags, what);
        return files;
    }
    files.push_back({std::string(kManifestFile), write_manifest(m), 0644});
    if (!compact) set_steps(d, m.workflow, true);  // the README always shows the compact steps
    d.set("graph", graph);                         // the README always has room for the picture
    files.push_back({"README.md", tidy(render_template("README.md.mustache", d)), 0644});
    files.push_back({"graph.mmd", graph, 0644});  // what `run --status ID --graph` colours
    // The executor: the same bytes for every skill; everything workflow-specific is in skill.json.
    for (const std::string_view name : runtime::kFiles) {
        files.push_back(
            {std::string(name), std::string(runtime::embedded_file(name)), name == "run" ? 0755u : 0644u});
    }
    files.push_back({std::string(kRunFieldsFile), run_fields(m), 0644});
    for (auto& f : generate_service(m, diags)) files.push_back(std::move(f));
    return files;
}

}  // namespace df::compiler
