// The list sections Requires and Triggers, and the example inputs of Example Usage.
#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

#include <fmt/format.h>

#include "common/text.h"
#include "compiler/input_names.h"
#include "compiler/parse_support.h"
#include "compiler/parser.h"

namespace df::compiler {

void parse_requires(ParseContext& ctx, const std::vector<const Block*>& blocks) {
    Requirements& req = ctx.workflow.requirements;
    auto add = [&](std::vector<std::string>& list, std::string name, SourcePos pos, bool env) {
        const bool valid =
            env ? is_identifier(name) : !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) ||
                       std::string_view("._+-").find(c) != std::string_view::npos;
            }) && name[0] != '-';
        if (!valid || name.size() > 128) {
            ctx.diags.error(pos, fmt::format("invalid {} name '{}' in Requires",
                                             env ? "environment variable" : "binary", name));
            return;
        }
        if (std::find(list.begin(), list.end(), name) == list.end()) list.push_back(std::move(name));
    };
    for (const Block* item : list_items(ctx, blocks, "Requires")) {
        const Block* para = first_paragraph(*item);
        if (!para) continue;
        const SourcePos pos = ctx.pos(*para);
        const std::string marked = marked_text(para->runs);
        const std::string lower = to_lower(unmark(marked));
        const auto colon = marked.find(':');
        const std::string label =
            colon == std::string::npos ? "" : to_lower(trim(unmark(marked.substr(0, colon))));
        static constexpr std::array bin_labels = {"bins",     "bin",   "binaries", "binary",
                                                  "commands", "tools", "programs"};
        static constexpr std::array env_labels = {"env",      "environment", "environment variables",
                                                  "env vars", "variables",   "secrets"};
        const bool bin_list = std::find(bin_labels.begin(), bin_labels.end(), label) != bin_labels.end();
        const bool env_list = std::find(env_labels.begin(), env_labels.end(), label) != env_labels.end();
        if (bin_list || env_list) {
            for (auto part : split(std::string_view(marked).substr(colon + 1), ',')) {
                std::string name(trim(unmark(part)));
                if (!name.empty()) add(env_list ? req.env : req.bins, name, pos, env_list);
            }
            continue;
        }
        // One requirement per line: the first code span or word; the rest says what kind it is.
        std::string name;
        if (!marked.empty() && marked[0] == kCodeOpen) {
            name = marked.substr(1, marked.find(kCodeClose) - 1);
        } else {
            const std::string plain = unmark(marked);
            name = plain.substr(0, plain.find_first_of(" \t:(,"));
        }
        const bool says_env =
            lower.find("env") != std::string::npos || lower.find("variable") != std::string::npos;
        const bool all_caps =
            std::none_of(name.begin(), name.end(), [](char c) { return c >= 'a' && c <= 'z'; }) &&
            std::any_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
        const bool env = says_env || all_caps;
        add(env ? req.env : req.bins, name, pos, env);
    }
}

void parse_triggers(ParseContext& ctx, const std::vector<const Block*>& blocks) {
    Workflow& wf = ctx.workflow;
    std::optional<SourcePos> http_pos;  // where `- http` is written, when it is
    for (const Block* item : list_items(ctx, blocks, "Triggers")) {
        const Block* para = first_paragraph(*item);
        if (!para) continue;
        const SourcePos pos = ctx.pos(*para);
        const std::string marked = marked_text(para->runs);
        const std::string lower = to_lower(unmark(marked));
        if (lower.rfind("cron", 0) == 0 || lower.rfind("schedule", 0) == 0) {
            if (wf.triggers.size() == kMaxTriggers) {
                ctx.diags.error(pos, fmt::format("more than {} triggers (the trigger limit)", kMaxTriggers));
                break;
            }
            Trigger t;
            t.kind = Trigger::Kind::cron;
            t.pos = pos;
            std::size_t at = marked.find(':');
            if (at == std::string::npos) at = lower.find(' ');
            std::string_view rest = at == std::string::npos ? "" : std::string_view(marked).substr(at + 1);
            rest = trim(rest);
            std::string_view inputs_text;
            if (!rest.empty() && rest[0] == kCodeOpen) {
                const auto close = rest.find(kCodeClose);
                t.written = std::string(rest.substr(1, close - 1));
                inputs_text = close == std::string_view::npos ? "" : rest.substr(close + 1);
            } else {
                const std::string low(to_lower(rest));
                auto cut = std::min(low.find('('), low.find(" with "));
                t.written = std::string(trim(unmark(rest.substr(0, cut))));
                inputs_text = cut == std::string::npos ? "" : rest.substr(cut);
            }
            const CronResult cron = normalize_cron(t.written);
            if (!cron.error.empty()) {
                ctx.diags.error(pos, fmt::format("invalid cron schedule '{}': {}", t.written, cron.error));
                continue;
            }
            t.schedule = cron.schedule;
            // Inputs: "with a=b, c=d", "(a=b)", or nested bullets "- a: b".
            std::vector<std::string> pairs;
            for (auto part : split(strip_input_list(inputs_text), ',')) pairs.emplace_back(unmark(part));
            for (std::size_t i = 1; i < item->children.size(); ++i) {
                const Block& nested = *item->children[i];
                if (nested.type != BlockType::bullet_list) continue;
                for (const auto& n : nested.children) {
                    if (const Block* np = first_paragraph(*n)) pairs.push_back(unmark(marked_text(np->runs)));
                }
            }
            for (std::string pair : pairs) {
                const std::string_view p = trim(pair);
                if (p.empty()) continue;
                const auto eq = p.find_first_of("=:");
                if (eq == std::string_view::npos) {
                    ctx.diags.error(pos,
                                    fmt::format("cannot read '{}' as an input of the cron trigger: write "
                                                "`name=value`",
                                                p));
                    continue;
                }
                const std::string key(trim(p.substr(0, eq)));
                std::string value(trim(p.substr(eq + 1)));
                if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
                    value.back() == value.front())
                    value = value.substr(1, value.size() - 2);
                const Input* input = find_input(wf, key);
                if (!input) {
                    ctx.diags.error(pos,
                                    fmt::format("the cron trigger sets '{}', which is not an input", key));
                    continue;
                }
                refuse_literal_secret(ctx, *input, value, "a cron trigger", pos);
                // "with a=1 b=2" reads as a="1 b=2": say so, since the author almost surely meant two inputs.
                for (const auto& other : wf.inputs) {
                    if (value.find(" " + other.name + "=") != std::string::npos) {
                        ctx.diags.warning(
                            pos, fmt::format("the cron trigger gives '{}' the value '{}', which contains "
                                             "'{}=': separate the trigger's inputs with commas",
                                             key, value, other.name));
                        break;
                    }
                }
                t.inputs.emplace_back(key, value);
            }
            for (const auto& in : wf.inputs) {
                const bool given = std::any_of(t.inputs.begin(), t.inputs.end(),
                                               [&](const auto& kv) { return kv.first == in.name; });
                // Normal for a nightly job: the value lives in the deployed service's configuration.
                if (in.required && !given) {
                    ctx.diags.warning(
                        pos, fmt::format("the cron trigger does not give the required input '{}': "
                                         "scheduled runs read it from the service's environment, so set "
                                         "{} there (`deploy --env {}=VALUE`){}",
                                         in.name, service_env_name(in.name), service_env_name(in.name),
                                         in.secret ? "" : fmt::format(", or add `with {}=value`", in.name)));
                }
            }
            wf.triggers.push_back(std::move(t));
        } else if (lower.rfind("http", 0) == 0 || lower.rfind("webhook", 0) == 0 ||
                   lower.rfind("manual", 0) == 0 || lower.rfind("api", 0) == 0 ||
                   lower.rfind("on demand", 0) == 0) {
            http_pos = pos;
        } else {
            ctx.diags.warning(pos, "unknown trigger: write `- cron: 0 3 * * *` or `- http`");
        }
    }
    // The HTTP trigger is always served; listing it documents intent.
    Trigger t;
    t.kind = Trigger::Kind::http;
    if (http_pos) t.pos = *http_pos;
    wf.triggers.insert(wf.triggers.begin(), t);
}

void parse_example_usage(ParseContext& ctx, const std::vector<const Block*>& blocks) {
    Workflow& wf = ctx.workflow;
    for (const Block* b : blocks) {
        if (b->type != BlockType::code || (b->language != "yaml" && b->language != "yml")) continue;
        const SourcePos block_pos = ctx.pos(*b);
        int line_no = block_pos.line;
        for (auto raw_line : split(b->code, '\n')) {
            ++line_no;
            std::string_view line = raw_line;
            if (trim(line).empty() || trim(line)[0] == '#' || trim(line) == "---") continue;
            const SourcePos pos{line_no, 1};
            if (line[0] == ' ' || line[0] == '\t' || trim(line)[0] == '-') {
                ctx.diags.warning(pos, "only flat `name: value` pairs are read from the example inputs");
                continue;
            }
            const auto colon = line.find(':');
            if (colon == std::string_view::npos) {
                ctx.diags.warning(pos, "cannot read this example input: write `name: value`");
                continue;
            }
            const std::string key(trim(line.substr(0, colon)));
            std::string value(trim(line.substr(colon + 1)));
            if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
                value.back() == value.front()) {
                value = value.substr(1, value.size() - 2);
            } else if (const auto hash = value.find(" #"); hash != std::string::npos) {
                value = std::string(trim(std::string_view(value).substr(0, hash)));
            }
            const Input* input = find_input(wf, key);
            if (!input) {
                ctx.diags.warning(pos, fmt::format("the example sets '{}', which is not an input", key));
                continue;
            }
            refuse_literal_secret(ctx, *input, value, "the example", pos);
            wf.example_inputs.emplace_back(key, value);
        }
    }
}

}  // namespace df::compiler
