// Checks that need the whole workflow, run after it is read: what would otherwise go wrong only at run
// time (a variable nothing sets, under `set -u`), or go wrong silently (a secret in git, a "gate" an agent
// walks through, advice nobody reads).
#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "common/text.h"
#include "compiler/parse_support.h"
#include "compiler/shell_vars.h"

namespace df::compiler {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

// Variables bash or the system sets for every step, and the executor's own (DF_*, docs/workflow-format.md).
bool is_standard_variable(std::string_view name) {
    static const std::set<std::string_view> names = {
        "HOME",       "PATH",         "PWD",           "OLDPWD",   "RANDOM",    "SRANDOM",
        "SECONDS",    "LINENO",       "USER",          "LOGNAME",  "HOSTNAME",  "HOSTTYPE",
        "OSTYPE",     "MACHTYPE",     "SHELL",         "TERM",     "LANG",      "LANGUAGE",
        "TZ",         "TMPDIR",       "IFS",           "UID",      "EUID",      "GROUPS",
        "PPID",       "BASHPID",      "BASH",          "BASHOPTS", "SHELLOPTS", "FUNCNAME",
        "PIPESTATUS", "OPTARG",       "OPTIND",        "OPTERR",   "REPLY",     "COLUMNS",
        "LINES",      "EPOCHSECONDS", "EPOCHREALTIME", "SHLVL",    "PS4",       "EDITOR",
        "PAGER",      "MAIL",         "HISTFILE",      "_"};
    return names.count(name) > 0 || starts_with(name, "BASH_") || starts_with(name, "LC_") ||
           starts_with(name, "DF_");
}

// The name closest to `name` when it is close enough to be a slip of the keyboard. Case does not count as
// a slip, but breaks ties: `$db_hots` suggests `$db_host` rather than its alias `$DB_HOST`.
std::string closest(std::string_view name, const std::set<std::string>& candidates) {
    const std::string lower = to_lower(name);
    std::string best;
    std::size_t best_score = 2 * (std::max<std::size_t>(1, lower.size() / 3) + 1);
    for (const auto& c : candidates) {
        const std::size_t d = edit_distance(lower, to_lower(c));
        const std::size_t score = 2 * d + (edit_distance(name, c) > d ? 1 : 0);
        if (score < best_score) best = c, best_score = score;
    }
    return best;
}

// Each read in a command step of a name nothing declares: one warning per name and step, at its first read.
void check_variables(ParseContext& ctx) {
    const Workflow& wf = ctx.workflow;
    std::set<std::string> declared;
    for (const auto& in : wf.inputs) {
        declared.insert(in.name);
        if (!in.env_alias.empty()) declared.insert(in.env_alias);
    }
    for (const auto& out : wf.outputs) declared.insert(out.name);
    for (const auto& env : wf.requirements.env) declared.insert(env);

    // The blocks of one step share its assignments (they run as one script).
    std::map<std::pair<StepList, int>, std::vector<std::pair<const ShellBlock*, ShellVars>>> by_step;
    for (const auto& sb : ctx.shell_blocks) {
        by_step[{sb.list, sb.step_number}].emplace_back(&sb, scan_shell_vars(sb.block->code));
    }
    for (const auto& [key, blocks] : by_step) {
        std::set<std::string> known = declared;
        for (const auto& [sb, vars] : blocks) known.insert(vars.assigned.begin(), vars.assigned.end());
        const auto& list = key.first == StepList::rollback     ? wf.rollback
                           : key.first == StepList::on_failure ? wf.on_failure
                                                               : wf.steps;
        const Step& step = list[static_cast<std::size_t>(key.second - 1)];
        if (!step.foreach_var.empty()) known.insert(step.foreach_var);
        std::set<std::string> reported;
        for (const auto& [sb, vars] : blocks) {
            const std::vector<std::string_view> code_lines = split(sb->block->code, '\n');
            const int fence_line = ctx.pos(*sb->block).line;
            for (const auto& r : vars.reads) {
                if (known.count(r.name) || is_standard_variable(r.name) || !reported.insert(r.name).second)
                    continue;
                // The block's lines are the source's lines less the list indentation md4c stripped.
                const int line = fence_line + 1 + r.line;
                const std::size_t code_width =
                    static_cast<std::size_t>(r.line) < code_lines.size() ? code_lines[r.line].size() : 0;
                const std::size_t source_width = ctx.source.line_text(line).size();
                const int indent =
                    source_width > code_width ? static_cast<int>(source_width - code_width) : 0;
                const std::string guess = closest(r.name, known);
                ctx.diags.warning(
                    {line, indent + r.column + 1},
                    fmt::format(
                        "`${}` in step '{}' is not declared (not an input, an output, a `## Requires` "
                        "variable, a standard one, or set in the step): the step would stop with "
                        "'{}: unbound variable'; {}",
                        r.name, step.title, r.name,
                        guess.empty() ? std::string("declare it under `## Inputs`, or under `## Requires` "
                                                    "as `- env: NAME`")
                                      : fmt::format("did you mean `${}`?", guess)));
            }
        }
    }
}

// Literal secrets: token shapes that are never placeholders. A workflow is pushed to git with its skill.
void check_secret_values(ParseContext& ctx) {
    struct Shape {
        std::string_view prefix, what;
        std::size_t min_tail;  // characters of [A-Za-z0-9_-] that must follow
    };
    static constexpr std::array<Shape, 9> shapes = {{{"ghp_", "a GitHub token", 20},
                                                     {"github_pat_", "a GitHub token", 20},
                                                     {"glpat-", "a GitLab token", 16},
                                                     {"xoxb-", "a Slack token", 16},
                                                     {"xoxp-", "a Slack token", 16},
                                                     {"AKIA", "an AWS access key", 16},
                                                     {"sk_live_", "a Stripe key", 16},
                                                     {"sk-", "an API key", 32},
                                                     {"-----BEGIN", "a private key", 0}}};
    const std::string& text = ctx.source.text();
    for (const auto& shape : shapes) {
        for (std::size_t at = text.find(shape.prefix); at != std::string::npos;
             at = text.find(shape.prefix, at + 1)) {
            if (at > 0 && (std::isalnum(static_cast<unsigned char>(text[at - 1])) || text[at - 1] == '_'))
                continue;
            std::size_t end = at + shape.prefix.size();
            if (shape.min_tail == 0) {
                // A key's armour line (letters and spaces only: a regex such as `[A-Z ]*` is no key) followed
                // by base64.
                const auto eol = text.find('\n', at);
                const std::string_view head = std::string_view(text).substr(at, eol - at);
                const auto key = head.find("PRIVATE KEY-----");
                if (key == std::string_view::npos || eol == std::string::npos) continue;
                const std::string_view kind = head.substr(10, key - 10);
                if (!std::all_of(kind.begin(), kind.end(),
                                 [](char c) { return c == ' ' || (c >= 'A' && c <= 'Z'); }))
                    continue;
                std::size_t body = eol + 1;
                while (body < text.size() && (text[body] == ' ' || text[body] == '\t')) ++body;
                std::size_t b64 = body;
                while (b64 < text.size() && (std::isalnum(static_cast<unsigned char>(text[b64])) ||
                                             text[b64] == '+' || text[b64] == '/' || text[b64] == '='))
                    ++b64;
                if (b64 - body < 20) continue;
            } else {
                while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) ||
                                             text[end] == '_' || text[end] == '-'))
                    ++end;
                if (end - at - shape.prefix.size() < shape.min_tail) continue;
            }
            ctx.diags.error(
                ctx.source.position(at),
                fmt::format("this looks like {} written into the workflow, which is pushed to git with "
                            "the skill: remove it, set it in the service's environment (`deploy --env "
                            "NAME=VALUE`) and declare NAME under `## Requires` as `- env: NAME`",
                            shape.what));
        }
    }
}

// A title that promises a person's decision: an approval, a sign-off, a manual check, or a wait for someone
// ("Wait for QA"; "Wait for healthy status" is an agent's job and is not one).
bool looks_like_gate(std::string_view title) {
    const std::string t = " " + to_lower(title) + " ";
    auto any = [&](std::initializer_list<std::string_view> words) {
        return std::any_of(words.begin(), words.end(),
                           [&](std::string_view w) { return t.find(w) != std::string::npos; });
    };
    if (any({"approv", "sign-off", "sign off", "signoff", "manual", "human", "go-ahead", "go ahead",
             "green light"}))
        return true;
    return any({"wait"}) && any({" qa ", "review", "manager", " team", " lead", "owner", "person", "someone",
                                 "confirmation", " ok "});
}

// A prose step titled like a gate is carried out by an agent: nobody is asked, nothing waits.
void check_prose_gates(ParseContext& ctx) {
    for (const auto* list : {&ctx.workflow.steps, &ctx.workflow.rollback, &ctx.workflow.on_failure}) {
        for (const auto& step : *list) {
            if (step.kind != StepKind::agent) continue;
            if (!looks_like_gate(step.title)) continue;
            ctx.diags.warning(
                step.pos,
                fmt::format("step '{}' has no commands, so an agent carries it out: no person is "
                            "asked and the run does not wait; to make a person approve the run, add "
                            "the guardrail `Requires manual approval` (docs/workflow-format.md, "
                            "Guardrails)",
                            step.title));
        }
    }
}

void check_unread_advice(ParseContext& ctx) {
    const Workflow& wf = ctx.workflow;
    for (const auto* list : {&wf.steps, &wf.rollback, &wf.on_failure}) {
        for (const auto& step : *list) {
            if (step.kind == StepKind::agent) return;
        }
    }
    for (const auto& g : wf.guardrails) {
        if (g.enforced) continue;
        ctx.diags.warning(
            g.pos, fmt::format("guardrail \"{}\" is advice for an agent, but every step runs commands: "
                               "nothing reads it (the enforced phrasings are in "
                               "docs/workflow-format.md, Guardrails)",
                               g.text));
    }
}

}  // namespace

// Optimal string alignment distance: Levenshtein with a swap of two neighbours as one edit ("timout",
// "hsot").
std::size_t edit_distance(std::string_view a, std::string_view b) {
    const std::size_t n = a.size(), m = b.size();
    std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
    for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= n; ++i) {
        for (std::size_t j = 1; j <= m; ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[n][m];
}

// An input's upper-case alias must not shadow a variable the workflow requires from the environment (an
// optional input not given would set `$API_TOKEN` to the empty string).
void drop_aliases_of_required_env(ParseContext& ctx) {
    const auto& env = ctx.workflow.requirements.env;
    for (auto& in : ctx.workflow.inputs) {
        if (in.env_alias.empty() || std::find(env.begin(), env.end(), in.env_alias) == env.end()) continue;
        ctx.diags.warning(in.pos,
                          fmt::format("input '{}' reaches command steps only as `${}`: `${}` is listed under "
                                      "`## Requires`, so it keeps the environment's value",
                                      in.name, in.name, in.env_alias));
        in.env_alias.clear();
    }
}

// `Needs:` names steps of `## Steps` that exist, never the step itself, and never closes a cycle (a step
// without `Needs:` needs the one before it). A rollback step runs in order: it has no `Needs:`.
void check_needs(ParseContext& ctx) {
    const auto& steps = ctx.workflow.steps;
    for (const auto& s : ctx.workflow.rollback) {
        if (s.needs)
            ctx.diags.error(
                s.needs_pos,
                fmt::format("rollback step '{}' has `Needs:`: rollback steps run in order, one after another",
                            s.id));
    }
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < steps.size(); ++i) index.emplace(steps[i].id, i);
    std::string ids;
    for (const auto& s : steps) ids += (ids.empty() ? "" : ", ") + s.id;
    std::vector<std::vector<std::size_t>> deps(steps.size());
    for (std::size_t i = 0; i < steps.size(); ++i) {
        if (!steps[i].needs) {
            if (i > 0) deps[i].push_back(i - 1);
            continue;
        }
        for (const auto& id : *steps[i].needs) {
            const auto at = index.find(id);
            if (at == index.end()) {
                ctx.diags.error(steps[i].needs_pos,
                                fmt::format("step '{}' needs '{}', which is no step; the steps are: {}",
                                            steps[i].id, id, ids));
            } else if (at->second == i) {
                ctx.diags.error(steps[i].needs_pos, fmt::format("step '{}' needs itself", steps[i].id));
            } else {
                deps[i].push_back(at->second);
            }
        }
    }
    // Depth-first: a step met again while its own dependencies are being followed closes a cycle.
    std::vector<int> state(steps.size(), 0);  // 0 new, 1 on the path, 2 done
    std::vector<std::size_t> path;
    std::function<bool(std::size_t)> visit = [&](std::size_t i) {
        state[i] = 1;
        path.push_back(i);
        for (const std::size_t d : deps[i]) {
            if (state[d] == 1) {
                std::string cycle;
                for (auto p = std::find(path.begin(), path.end(), d); p != path.end(); ++p)
                    cycle += steps[*p].id + " → ";
                ctx.diags.error(steps[i].needs ? steps[i].needs_pos : steps[i].pos,
                                fmt::format("the steps' `Needs:` form a cycle: {}{}", cycle, steps[d].id));
                return true;
            }
            if (state[d] == 0 && visit(d)) return true;
        }
        path.pop_back();
        state[i] = 2;
        return false;
    };
    for (std::size_t i = 0; i < steps.size(); ++i) {
        if (state[i] == 0 && visit(i)) break;
    }
}

// The steps a step runs after: those it needs, theirs, and so on (without `Needs:`, the step before it).
std::set<std::size_t> runs_after(const std::vector<Step>& steps, std::size_t i) {
    std::map<std::string, std::size_t> index;
    for (std::size_t k = 0; k < steps.size(); ++k) index.emplace(steps[k].id, k);
    std::set<std::size_t> seen;
    std::vector<std::size_t> pending{i};
    while (!pending.empty()) {
        const std::size_t k = pending.back();
        pending.pop_back();
        std::vector<std::size_t> deps;
        if (!steps[k].needs) {
            if (k > 0) deps.push_back(k - 1);
        } else {
            for (const auto& id : *steps[k].needs) {
                if (const auto at = index.find(id); at != index.end()) deps.push_back(at->second);
            }
        }
        for (const std::size_t d : deps) {
            if (seen.insert(d).second) pending.push_back(d);
        }
    }
    return seen;
}

// One `If:`: it compares an input, or an output of a step of `## Steps` that has ended when `step` starts
// (`ended(k)`: has step k?), with a text.
void check_condition(ParseContext& ctx, const Step& step, const std::function<bool(std::size_t)>& ended) {
    const auto& steps = ctx.workflow.steps;
    const std::string& left = step.condition->left;
    const SourcePos at = step.condition_pos;
    if (left.rfind("steps.", 0) == 0) {
        const auto dot = left.find(".outputs.", 6);
        const std::string id = left.substr(6, dot == std::string::npos ? std::string::npos : dot - 6);
        const auto it = std::find_if(steps.begin(), steps.end(), [&](const Step& s) { return s.id == id; });
        if (dot == std::string::npos || left.size() == dot + 9) {
            ctx.diags.error(at, fmt::format("`If: {}`: write steps.<id>.outputs.<name>", left));
        } else if (it == steps.end()) {
            ctx.diags.error(at, fmt::format("`If: {}`: '{}' is no step", left, id));
        } else if (!ended(static_cast<std::size_t>(it - steps.begin()))) {
            ctx.diags.error(at, fmt::format("step '{}' reads an output of step '{}', which has not ended "
                                            "when it starts (give it `Needs: {}`)",
                                            step.id, id, id));
        }
    } else if (!find_input(ctx.workflow, left)) {
        std::string names;
        for (const auto& in : ctx.workflow.inputs) names += (names.empty() ? "" : ", ") + in.name;
        ctx.diags.error(at, fmt::format("`If:` compares an input or steps.<id>.outputs.<name> with a text "
                                        "(`If: environment == production`); '{}' is neither (the inputs: {})",
                                        left, names.empty() ? "none" : names));
    }
}

void check_conditions(ParseContext& ctx) {
    const auto& steps = ctx.workflow.steps;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        if (!steps[i].condition) continue;
        const std::set<std::size_t> after = runs_after(steps, i);
        check_condition(ctx, steps[i], [&](std::size_t k) { return after.count(k) != 0; });
    }
    // A rollback step runs once `## Steps` has ended: any step's output can be read (empty when the step
    // did not publish it or did not run).
    for (const auto& r : ctx.workflow.rollback) {
        if (r.condition) check_condition(ctx, r, [](std::size_t) { return true; });
    }
}

// `Undoes: <step id>` belongs to a rollback step and names a step of `## Steps`.
void check_undoes(ParseContext& ctx) {
    for (const auto& s : ctx.workflow.steps) {
        if (!s.undoes.empty()) {
            ctx.diags.error(
                s.undoes_pos,
                fmt::format("step '{}' has `Undoes:`: only `## Rollback` steps undo a step", s.id));
        }
    }
    std::string ids;
    for (const auto& s : ctx.workflow.steps) ids += (ids.empty() ? "" : ", ") + s.id;
    for (const auto& r : ctx.workflow.rollback) {
        if (r.undoes.empty()) continue;
        const auto& steps = ctx.workflow.steps;
        if (std::none_of(steps.begin(), steps.end(), [&](const Step& s) { return s.id == r.undoes; })) {
            ctx.diags.error(r.undoes_pos,
                            fmt::format("rollback step '{}' undoes '{}', which is no step; the steps are: {}",
                                        r.id, r.undoes, ids));
        }
    }
}

// `Approval: required` and `Approvers: alice, bob` on a step of `## Steps`; the step's `Timeout:` becomes
// the time the run waits for the decision.
void check_approvals(ParseContext& ctx) {
    for (auto& s : ctx.workflow.steps) {
        const std::string written(trim(s.approval_written));
        if (!s.approval_written.empty() && !s.approval) {
            ctx.diags.error(
                s.approval_pos,
                written.empty()
                    ? fmt::format("step '{}': `Approval:` needs a value: required", s.id)
                    : fmt::format("step '{}': `Approval: {}`: the only value is `required`", s.id, written));
        }
        for (const auto& name : s.approvers) {
            const bool ok =
                !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                           c == '.' || c == '_' || c == '-' || c == '@';
                });
            if (!ok) {
                ctx.diags.error(
                    s.approvers_pos,
                    fmt::format("step '{}': `Approvers:` '{}' is no name (letters, digits, . _ - @; "
                                "up to 64)",
                                s.id, name));
                break;
            }
        }
        if (!s.approvers.empty() && s.approval_written.empty()) {
            ctx.diags.error(s.approvers_pos,
                            fmt::format("step '{}' has `Approvers:` without `Approval: required`", s.id));
        }
        if (s.approval) {
            s.approval_timeout_seconds = s.timeout_seconds;
            s.timeout_seconds.reset();
        }
    }
    for (const auto& r : ctx.workflow.rollback) {
        if (!r.approval_written.empty()) {
            ctx.diags.error(
                r.approval_pos,
                fmt::format("rollback step '{}' has `Approval:`: a rollback runs without waiting", r.id));
        }
    }
}

// `For each: item in $list`: a command step of `## Steps`, a variable name, a declared input.
void check_foreach(ParseContext& ctx) {
    auto is_name = [](const std::string& n) {
        return !n.empty() && n.size() <= 64 && !(n[0] >= '0' && n[0] <= '9') &&
               std::all_of(n.begin(), n.end(), [](char c) {
                   return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                          c == '_';
               });
    };
    for (auto& s : ctx.workflow.steps) {
        if (s.foreach_written.empty()) continue;
        if (!is_name(s.foreach_var) || s.foreach_list.empty()) {
            ctx.diags.error(s.foreach_pos, fmt::format("step '{}': `For each: {}`: write it as "
                                                       "`For each: item in $list_input`",
                                                       s.id, trim(s.foreach_written)));
        } else if (std::none_of(ctx.workflow.inputs.begin(), ctx.workflow.inputs.end(),
                                [&](const Input& in) { return in.name == s.foreach_list; })) {
            ctx.diags.error(s.foreach_pos, fmt::format("step '{}': `For each:` goes over ${}, which is no "
                                                       "input of the workflow",
                                                       s.id, s.foreach_list));
        } else if (s.kind != StepKind::command) {
            ctx.diags.error(s.foreach_pos,
                            fmt::format("step '{}': `For each:` needs a command step (shell blocks)", s.id));
        }
    }
    for (const auto& r : ctx.workflow.rollback) {
        if (!r.foreach_written.empty()) {
            ctx.diags.error(r.foreach_pos, fmt::format("rollback step '{}' has `For each:`: rollback steps "
                                                       "run once, in order",
                                                       r.id));
        }
    }
}

// `## On Failure` steps run in order after a failed run: no `Needs:`, `If:`, `Undoes:`, `Approval:` or
// `For each:`.
void check_on_failure_steps(ParseContext& ctx) {
    for (const auto& s : ctx.workflow.on_failure) {
        const char* what = s.needs                       ? "Needs:"
                           : s.condition                 ? "If:"
                           : !s.undoes.empty()           ? "Undoes:"
                           : !s.approval_written.empty() ? "Approval:"
                           : !s.foreach_written.empty()  ? "For each:"
                                                         : nullptr;
        if (!what) continue;
        const SourcePos at = s.needs                       ? s.needs_pos
                             : s.condition                 ? s.condition_pos
                             : !s.undoes.empty()           ? s.undoes_pos
                             : !s.approval_written.empty() ? s.approval_pos
                                                           : s.foreach_pos;
        ctx.diags.error(at, fmt::format("on-failure step '{}' has `{}`: `## On Failure` steps run in order, "
                                        "one after another, after any failed run",
                                        s.id, what));
    }
}

void check_workflow(ParseContext& ctx) {
    check_on_failure_steps(ctx);
    check_needs(ctx);
    check_undoes(ctx);
    check_approvals(ctx);
    check_foreach(ctx);
    check_conditions(ctx);
    drop_aliases_of_required_env(ctx);
    check_variables(ctx);
    check_secret_values(ctx);
    check_prose_gates(ctx);
    check_unread_advice(ctx);
}

}  // namespace df::compiler
