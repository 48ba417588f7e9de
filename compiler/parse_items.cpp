// The list sections Inputs and Outputs, and what the other list sections share (parse_triggers.cpp).
#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "common/text.h"
#include "compiler/input_names.h"
#include "compiler/parse_support.h"
#include "compiler/parser.h"

namespace df::compiler {
namespace {

// Steps see each input under its own name and, by the POSIX convention for environment variables, in upper
// case too, unless the upper-case name is one steps rely on: `home` must not replace $HOME.
void set_env_alias(ParseContext& ctx, Input& in) {
    const std::string upper = upper_case(in.name);
    if (!env_name_steps_rely_on(upper)) {
        in.env_alias = upper;
        return;
    }
    ctx.diags.warning(in.pos,
                      fmt::format("input '{}' reaches command steps only as `${}`: `${}` is an environment "
                                  "variable steps rely on, so it is left as it is",
                                  in.name, in.name, upper));
}

std::string dashed(std::string_view name) {
    std::string out(name);
    std::replace(out.begin(), out.end(), '_', '-');
    return out;
}

bool looks_secret(std::string_view name) {
    const std::string lower = to_lower(name);
    for (const std::string_view word :
         {"token", "secret", "password", "passwd", "api_key", "apikey", "private_key", "credential"}) {
        if (lower.find(word) != std::string::npos) return true;
    }
    return false;
}

// Example values people write for secrets: `<your token>`, `${API_TOKEN}`, `***`, `changeme`. They are not
// secrets, so they may stay in the workflow.
bool looks_like_placeholder(std::string_view value) {
    const std::string v = to_lower(trim(value));
    if (v.empty() || v[0] == '<' || v[0] == '$' || v.rfind("{{", 0) == 0) return true;
    if (std::all_of(v.begin(), v.end(), [&](char c) { return c == v[0]; })) return true;
    for (const std::string_view word :
         {"your", "example", "changeme", "change_me", "placeholder", "redacted", "...", "xxx", "dummy"}) {
        if (v.find(word) != std::string::npos) return true;
    }
    return false;
}

struct NamedItem {
    std::string name;
    std::string rest;  // marked text after the name
    std::vector<Run> rest_runs;
    SourcePos pos;
    bool found = false;
};

// `name`: text, **name**: text, or name: text.
NamedItem split_name(ParseContext& ctx, const Block& item) {
    NamedItem out;
    out.pos = ctx.pos(item);
    const Block* para = first_paragraph(item);
    if (!para || para->runs.empty()) return out;
    const auto& runs = para->runs;
    out.pos = ctx.pos_of_run(runs.front(), *para);
    if (runs.front().kind == Run::Kind::code || runs.front().strong) {
        out.name = std::string(trim(runs.front().text));
        out.rest_runs.assign(runs.begin() + 1, runs.end());
        // **`name`** is one bold run holding a code run.
        if (runs.front().strong && runs.size() > 1 && runs[1].strong && runs.front().text.empty()) {
            out.name = std::string(trim(runs[1].text));
            out.rest_runs.assign(runs.begin() + 2, runs.end());
        }
    } else {
        const std::string& first = runs.front().text;
        auto stop = first.find_first_of(":(\xE2 \t");
        out.name = std::string(trim(first.substr(0, stop)));
        out.rest_runs = runs;
        out.rest_runs.front().text = stop == std::string::npos ? "" : first.substr(stop);
    }
    while (!out.name.empty() && (out.name.back() == ':')) out.name.pop_back();
    out.rest = marked_text(out.rest_runs);
    out.found = !out.name.empty();
    return out;
}

// Strips the separator and leading annotations ": ", "(required):", "— " off a description.
std::string clean_description(std::string text) {
    std::string_view t = trim(text);
    for (int guard = 0; guard < 4 && !t.empty(); ++guard) {
        if (t.front() == ':' || t.front() == '-' || t.front() == '=') {
            t = trim(t.substr(1));
        } else if (t.rfind("\xE2\x80\x94", 0) == 0 || t.rfind("\xE2\x80\x93", 0) == 0) {
            t = trim(t.substr(3));
        } else if (t.front() == '(') {
            const auto close = t.find(')');
            if (close == std::string_view::npos) break;
            const std::string inner = to_lower(t.substr(1, close - 1));
            bool all_known = true;
            for (auto part : split(inner, ',')) {
                const auto p = trim(part);
                static constexpr std::array known = {"required",  "optional", "secret",  "sensitive",
                                                     "mandatory", "number",   "integer", "boolean",
                                                     "bool",      "string"};
                all_known &= std::find(known.begin(), known.end(), p) != known.end();
            }
            if (!all_known) break;
            t = trim(t.substr(close + 1));
        } else {
            break;
        }
    }
    return std::string(t);
}

// Reads a value that starts at `at` in marked text: a whole code span, or text up to a delimiter.
std::string value_at(std::string_view marked, std::size_t at) {
    while (at < marked.size() && (marked[at] == ' ' || marked[at] == ':' || marked[at] == '=')) ++at;
    if (at < marked.size() && marked[at] == kCodeOpen) {
        const auto close = marked.find(kCodeClose, at);
        return std::string(
            marked.substr(at + 1, close == std::string_view::npos ? std::string_view::npos : close - at - 1));
    }
    // A ')' closes the value only when it closes nothing opened inside it: "(default: $(hostname))".
    std::size_t end = at;
    int depth = 0;
    for (; end < marked.size(); ++end) {
        const char c = marked[end];
        if (c == '(') ++depth;
        if (c == ')' && depth-- == 0) break;
        if (depth == 0 && (c == ',' || c == ';' || c == '|')) break;
        if (depth == 0 && c == '.' && (end + 1 == marked.size() || marked[end + 1] == ' ')) break;
    }
    std::string v(trim(unmark(marked.substr(at, end - at))));
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
        v = v.substr(1, v.size() - 2);
    return v;
}

// Choices written `a | b | c` (code spans or words), or "one of: a, b, c".
std::vector<std::string> find_choices(std::string_view marked) {
    std::vector<std::string> choices;
    const auto bar = marked.find('|');
    if (bar != std::string_view::npos) {
        auto token_before = [&](std::size_t end) -> std::pair<std::size_t, std::string> {
            std::size_t e = end;
            while (e > 0 && marked[e - 1] == ' ') --e;
            if (e > 0 && marked[e - 1] == kCodeClose) {
                const auto open = marked.rfind(kCodeOpen, e - 1);
                if (open == std::string_view::npos) return {e, ""};
                return {open, std::string(marked.substr(open + 1, e - open - 2))};
            }
            std::size_t b = e;
            while (b > 0 && (std::isalnum(static_cast<unsigned char>(marked[b - 1])) ||
                             std::string_view("_.-/:").find(marked[b - 1]) != std::string_view::npos))
                --b;
            return {b, std::string(marked.substr(b, e - b))};
        };
        auto [start, first] = token_before(bar);
        (void)start;
        if (first.empty()) return choices;
        choices.push_back(first);
        std::size_t pos = bar;
        while (pos < marked.size() && marked[pos] == '|') {
            std::size_t b = pos + 1;
            while (b < marked.size() && marked[b] == ' ') ++b;
            std::string token;
            if (b < marked.size() && marked[b] == kCodeOpen) {
                const auto close = marked.find(kCodeClose, b);
                if (close == std::string_view::npos) break;
                token = std::string(marked.substr(b + 1, close - b - 1));
                pos = close + 1;
            } else {
                std::size_t e = b;
                while (e < marked.size() &&
                       (std::isalnum(static_cast<unsigned char>(marked[e])) ||
                        std::string_view("_.-/:").find(marked[e]) != std::string_view::npos))
                    ++e;
                token = std::string(marked.substr(b, e - b));
                while (!token.empty() && (token.back() == '.' || token.back() == ':')) token.pop_back(), --e;
                pos = e;
            }
            if (token.empty()) break;
            choices.push_back(token);
            while (pos < marked.size() && marked[pos] == ' ') ++pos;
        }
        return choices;
    }
    const std::string lower = to_lower(marked);
    for (const std::string_view cue : {"one of", "choices", "options", "allowed values"}) {
        const auto at = lower.find(cue);
        if (at == std::string::npos) continue;
        std::string_view list = marked.substr(at + cue.size());
        const auto end = list.find_first_of(").;");
        list = list.substr(0, end);
        for (auto part : split(list, ',')) {
            std::string v(trim(unmark(part)));
            while (!v.empty() && v.front() == ':') v = std::string(trim(v.substr(1)));
            if (v.rfind("or ", 0) == 0) v = std::string(trim(v.substr(3)));
            if (!v.empty()) choices.push_back(v);
        }
        if (choices.size() >= 2) return choices;
        choices.clear();
    }
    return choices;
}

struct Annotations {
    bool required = false, optional = false, secret = false;
    std::optional<InputType> type;
    std::optional<std::string> default_value;
};

Annotations read_annotations(std::string_view marked) {
    Annotations a;
    const std::string lower = to_lower(marked);
    // Parenthesised words: (required), (optional, secret), (number), (default: main).
    for (std::size_t open = lower.find('('); open != std::string::npos; open = lower.find('(', open + 1)) {
        const auto close = lower.find(')', open);
        if (close == std::string::npos) break;
        for (auto part : split(std::string_view(lower).substr(open + 1, close - open - 1), ',')) {
            const std::string p(trim(part));
            if (p == "required" || p == "mandatory") a.required = true;
            if (p == "optional") a.optional = true;
            if (p == "secret" || p == "sensitive") a.secret = true;
            if (p == "number" || p == "integer" || p == "int" || p == "numeric") a.type = InputType::number;
            if (p == "boolean" || p == "bool" || p == "flag") a.type = InputType::boolean;
            if (p == "string" || p == "text") a.type = InputType::string;
        }
    }
    const std::string_view head = trim(
        std::string_view(lower).substr(std::min(lower.size(), lower.find_first_not_of(" :-=\xE2\x80\x94"))));
    if (head.rfind("required", 0) == 0) a.required = true;
    if (head.rfind("optional", 0) == 0) a.optional = true;
    // "(default: x)", "default x", "defaults to x", "default is x" anywhere; the parenthesised form first, so
    // that prose before it ("a sensible default (default: 3)") is not taken for the value.
    const auto explicit_default = lower.find("(default");
    const auto first = explicit_default != std::string::npos ? explicit_default + 1 : lower.find("default");
    for (std::size_t at = first; at != std::string::npos; at = lower.find("default", at + 1)) {
        if (at > 0 && std::isalpha(static_cast<unsigned char>(lower[at - 1]))) continue;
        std::size_t v = at + 7;
        if (lower.compare(v, 1, "s") == 0) ++v;
        while (v < lower.size() && lower[v] == ' ') ++v;
        for (const std::string_view joiner : {"to ", "is ", "value is ", "value: ", "value "}) {
            if (lower.compare(v, joiner.size(), joiner) == 0) {
                v += joiner.size();
                break;
            }
        }
        if (v < lower.size() &&
            (lower[v] == ':' || lower[v] == '=' || lower[v] == kCodeOpen || lower[v - 1] == ' ')) {
            std::string value = value_at(marked, v);
            if (!value.empty() || (v < marked.size() && marked[v] == kCodeOpen)) {
                a.default_value = value;
                break;
            }
        }
    }
    return a;
}

bool is_number(std::string_view s) {
    if (s.empty()) return false;
    std::size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
    bool digits = false, dot = false;
    for (; i < s.size(); ++i) {
        if (std::isdigit(static_cast<unsigned char>(s[i]))) {
            digits = true;
        } else if (s[i] == '.' && !dot) {
            dot = true;
        } else {
            return false;
        }
    }
    return digits;
}

bool is_boolean(std::string_view s) {
    const std::string l = to_lower(s);
    return l == "true" || l == "false" || l == "yes" || l == "no" || l == "1" || l == "0";
}

void check_default(ParseContext& ctx, const Input& in) {
    if (!in.default_value) return;
    const std::string& d = *in.default_value;
    if (in.type == InputType::choice &&
        std::find(in.choices.begin(), in.choices.end(), d) == in.choices.end()) {
        ctx.diags.error(in.pos, fmt::format("the default '{}' of input '{}' is not one of its choices ({})",
                                            d, in.name, fmt::join(in.choices, ", ")));
    } else if (in.type == InputType::number && !is_number(d)) {
        ctx.diags.error(in.pos,
                        fmt::format("the default '{}' of number input '{}' is not a number", d, in.name));
    } else if (in.type == InputType::boolean && !is_boolean(d)) {
        ctx.diags.error(
            in.pos, fmt::format("the default '{}' of boolean input '{}' is not true or false", d, in.name));
    }
}

std::string input_description(const NamedItem& item) {
    return clean_description(inline_markdown(item.rest_runs));
}

}  // namespace

// A secret's value written in the workflow would be pushed to git with the skill (skill.json keeps
// defaults, cron inputs and examples): it belongs in the service's environment.
void refuse_literal_secret(ParseContext& ctx, const Input& in, std::string_view value, std::string_view where,
                           SourcePos pos) {
    if (!in.secret || looks_like_placeholder(value)) return;
    ctx.diags.error(
        pos, fmt::format("input '{}' is secret, so its value must not be written in {} (the workflow "
                         "and skill.json go to git): remove it and set {} in the service's environment "
                         "instead (`deploy --env {}=VALUE`)",
                         in.name, where, service_env_name(in.name), service_env_name(in.name)));
}

// "with a=b, c=d" or "(a=b, c=d)" → "a=b, c=d"; parentheses go only as a pair, so a value may hold its own
// ("target=$(id)").
std::string_view strip_input_list(std::string_view text) {
    text = trim(text);
    if (starts_with_icase(text, "with ")) text = trim(text.substr(5));
    if (text.size() >= 2 && text.front() == '(' && text.back() == ')')
        text = trim(text.substr(1, text.size() - 2));
    return text;
}

std::vector<const Block*> list_items(ParseContext& ctx, const std::vector<const Block*>& blocks,
                                     std::string_view section) {
    std::vector<const Block*> items;
    bool warned = false;
    for (const Block* b : blocks) {
        if (b->type == BlockType::bullet_list || b->type == BlockType::ordered_list) {
            for (const auto& item : b->children) items.push_back(item.get());
        } else if (!warned && b->type != BlockType::rule) {
            ctx.diags.warning(
                ctx.pos(*b),
                fmt::format("only list items are read in the {} section; this is ignored", section));
            warned = true;
        }
    }
    return items;
}

void parse_inputs(ParseContext& ctx, const std::vector<const Block*>& blocks) {
    Workflow& wf = ctx.workflow;
    for (const Block* item : list_items(ctx, blocks, "Inputs")) {
        NamedItem named = split_name(ctx, *item);
        if (!named.found) {
            ctx.diags.error(named.pos, "cannot find the input's name: write ``- `name`: description``");
            continue;
        }
        Input in;
        in.name = named.name;
        in.pos = named.pos;
        if (in.name.size() > kMaxNameBytes || !is_identifier(in.name)) {
            ctx.diags.error(in.pos,
                            fmt::format("invalid input name '{}': use letters, digits and '_', starting "
                                        "with a letter, at most {} characters",
                                        in.name, kMaxNameBytes));
            continue;
        }
        if (const auto problem = input_name_problem(in.name)) {
            ctx.diags.error(in.pos, *problem);
            continue;
        }
        if (const Input* first = find_input(wf, in.name)) {
            ctx.diags.error(in.pos, fmt::format("duplicate input '{}' (first declared on line {})", in.name,
                                                first->pos.line));
            continue;
        }
        if (wf.inputs.size() == kMaxInputs) {
            ctx.diags.error(in.pos, fmt::format("more than {} inputs (the input limit)", kMaxInputs));
            break;
        }
        const Annotations a = read_annotations(named.rest);
        in.description = input_description(named);
        in.choices = find_choices(named.rest);
        in.type = !in.choices.empty() ? InputType::choice : a.type.value_or(InputType::string);
        in.default_value = a.default_value;
        in.secret = a.secret || looks_secret(in.name);
        in.required = a.required || (!a.optional && !a.default_value);
        if (a.required && a.default_value) {
            ctx.diags.warning(in.pos,
                              fmt::format("input '{}' is marked required but has a default; the default is "
                                          "used when it is not given",
                                          in.name));
            in.required = false;
        }
        check_default(ctx, in);
        if (in.default_value) refuse_literal_secret(ctx, in, *in.default_value, "its default", in.pos);
        set_env_alias(ctx, in);
        if (is_run_option(in.name)) {
            ctx.diags.warning(in.pos,
                              fmt::format("input '{}' has the name of run's own option --{}: on run's "
                                          "command line give it with --inputs-json (HTTP and cron "
                                          "triggers are not affected)",
                                          in.name, dashed(in.name)));
        }
        wf.inputs.push_back(std::move(in));
    }
}

void parse_outputs(ParseContext& ctx, const std::vector<const Block*>& blocks) {
    Workflow& wf = ctx.workflow;
    std::map<std::string, int> seen;
    for (const Block* item : list_items(ctx, blocks, "Outputs")) {
        NamedItem named = split_name(ctx, *item);
        if (!named.found || !is_identifier(named.name) || named.name.size() > kMaxNameBytes) {
            ctx.diags.error(named.pos,
                            fmt::format("invalid output name '{}': write ``- `name`: description`` with "
                                        "letters, digits and '_'",
                                        named.name));
            continue;
        }
        if (const auto [it, inserted] = seen.emplace(named.name, named.pos.line); !inserted) {
            ctx.diags.error(named.pos, fmt::format("duplicate output '{}' (first declared on line {})",
                                                   named.name, it->second));
            continue;
        }
        if (wf.outputs.size() == kMaxOutputs) {
            ctx.diags.error(named.pos, fmt::format("more than {} outputs (the output limit)", kMaxOutputs));
            break;
        }
        wf.outputs.push_back({named.name, input_description(named), named.pos});
    }
}

}  // namespace df::compiler
