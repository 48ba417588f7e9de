// Guardrails are compiled, not copied: each line either becomes an enforced policy with parameters, or
// stays advice for the agent. The recognisers below accept the phrasings people write; the report that
// `compile` prints says, per line, which it became.
#include <algorithm>
#include <array>
#include <cctype>
#include <functional>

#include <fmt/format.h>

#include "common/text.h"
#include "compiler/parse_support.h"
#include "compiler/parser.h"

namespace df::compiler {
namespace {

bool has(std::string_view text, std::string_view word) {
    return text.find(word) != std::string_view::npos;
}

bool has_any(std::string_view text, std::initializer_list<std::string_view> words) {
    return std::any_of(words.begin(), words.end(), [&](std::string_view w) { return has(text, w); });
}

// The word after `text[at]`, letters, digits, '_', '-' and '.' only.
std::string word_at(std::string_view text, std::size_t at) {
    while (at < text.size() && (text[at] == ' ' || text[at] == '`' || text[at] == '"' || text[at] == '\''))
        ++at;
    std::size_t end = at;
    while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_' ||
                                 text[end] == '-' || text[end] == '.'))
        ++end;
    std::string w(text.substr(at, end - at));
    while (!w.empty() && (w.back() == '.' || w.back() == '-')) w.pop_back();
    return w;
}

// An input a guardrail refers to by a word: "per service" → service_name, "for production" → the input
// that has production among its choices, or one called environment.
const Input* input_named_like(const Workflow& wf, std::string_view word) {
    if (word.empty()) return nullptr;
    if (const Input* exact = find_input(wf, word)) return exact;
    for (const std::string suffix : {"_name", "_id", "_key"}) {
        if (const Input* in = find_input(wf, std::string(word) + suffix)) return in;
    }
    for (const auto& in : wf.inputs) {
        if (in.name.find(word) != std::string::npos) return &in;
    }
    // "per repository" → git_repo: a part of the input's name that abbreviates the word (at least 3 letters).
    for (const auto& in : wf.inputs) {
        for (const auto& part : split(in.name, '_')) {
            if (part.size() >= 3 && word.size() > part.size() && word.substr(0, part.size()) == part)
                return &in;
        }
    }
    return nullptr;
}

const Input* input_with_value(const Workflow& wf, std::string_view value, std::string* spelled) {
    for (const auto& in : wf.inputs) {
        for (const auto& c : in.choices) {
            if (equals_icase(c, value)) return *spelled = c, &in;
        }
    }
    for (const auto& in : wf.inputs) {
        if (in.default_value && equals_icase(*in.default_value, value))
            return *spelled = *in.default_value, &in;
    }
    for (const std::string_view name : {"environment", "env", "target_environment", "target_env", "stage",
                                        "target", "deploy_environment", "deployment_environment"}) {
        const Input* in = find_input(wf, name);
        // An input with choices that do not include the value can never match: no input fits.
        if (in && in->type != InputType::choice) return *spelled = std::string(value), in;
    }
    return nullptr;
}

class GuardrailCompiler {
  public:
    GuardrailCompiler(ParseContext& ctx, std::string text, SourcePos pos)
        : ctx_(ctx), wf_(ctx.workflow), text_(std::move(text)), lower_(to_lower(text_)), pos_(pos) {
        // Quotes and backticks carry no meaning for recognition: "`environment` is `production`".
        for (char& c : lower_) {
            if (c == '`' || c == '"') c = ' ';
        }
    }

    Guardrail compile() {
        Guardrail g;
        g.text = text_;
        g.pos = pos_;
        // A very long line is prose, not a policy; it is never run through the recognisers.
        if (lower_.size() <= 300) {
            if (history(g) || approval(g) || auto_rollback(g) || rate_limit(g) || parallel_steps(g) ||
                concurrency(g) || retries(g) || memory(g) || timeout(g)) {
                g.enforced = true;
                return g;
            }
        }
        g.kind = GuardrailKind::advisory;
        g.enforced = false;
        g.interpretation = "advice for the agent, passed on as written";
        return g;
    }

  private:
    bool approval(Guardrail& g) {
        if (!has_any(lower_, {"approv", "sign-off", "sign off", "signoff"})) return false;
        Policy::Approval a;
        if (const auto d = find_duration_seconds(lower_)) a.timeout_seconds = static_cast<int>(d->value);
        // "when environment is production", "if env = prod"
        for (const std::string_view cue : {"when ", "if "}) {
            const auto at = lower_.find(cue);
            if (at == std::string::npos) continue;
            std::size_t start = at + cue.size();
            if (lower_.compare(start, 4, "the ") == 0) start += 4;
            const std::string name = word_at(lower_, start);
            const Input* in = find_input(wf_, name);
            const auto is = lower_.find_first_of("=", at);
            const auto is_word = lower_.find(" is ", at);
            const auto value_at =
                is_word != std::string::npos ? is_word + 4 : (is != std::string::npos ? is + 1 : 0);
            if (in && value_at) {
                const std::string value = word_at(text_, value_at);
                if (!value.empty()) {
                    a.when_input = in->name;
                    a.equals = resolve_spelling(*in, value);
                    warn_unless_choice(*in, a.equals);
                }
            }
        }
        // "for production", "in prod", "to production"
        if (a.when_input.empty()) {
            for (const std::string_view cue : {" for ", " in ", " to ", " on ", " into "}) {
                const auto at = lower_.find(cue);
                if (at == std::string::npos) continue;
                std::size_t start = at + cue.size();
                if (lower_.compare(start, 4, "the ") == 0) start += 4;
                const std::string value = word_at(text_, start);
                static constexpr std::array generic = {"all",         "every",   "each",     "any",
                                                       "this",        "changes", "runs",     "deploys",
                                                       "deployments", "manual",  "approval", "anything"};
                if (value.empty() ||
                    std::find(generic.begin(), generic.end(), to_lower(value)) != generic.end()) {
                    continue;
                }
                std::string spelled;
                if (const Input* in = input_with_value(wf_, value, &spelled)) {
                    a.when_input = in->name;
                    a.equals = spelled;
                } else {
                    ctx_.diags.warning(
                        pos_, fmt::format("the approval condition '{}' matches no input (add an input "
                                          "such as `environment` with '{}' among its choices); every "
                                          "run will need approval",
                                          value, value));
                }
                break;
            }
        }
        g.kind = GuardrailKind::approval;
        g.interpretation =
            (a.when_input.empty()
                 ? std::string("every run waits for approval")
                 : fmt::format("runs with input {} = '{}' wait for approval", a.when_input, a.equals)) +
            fmt::format(
                " (through the approve hook or run --approve); unapproved after {} the run ends as rejected",
                describe_seconds(a.timeout_seconds));
        if (wf_.policy.approval) conflict("approval");
        wf_.policy.approval = a;
        return true;
    }

    // An approval condition on a value the input can never take would never hold.
    void warn_unless_choice(const Input& in, const std::string& value) {
        if (in.type != InputType::choice ||
            std::find(in.choices.begin(), in.choices.end(), value) != in.choices.end())
            return;
        ctx_.diags.warning(pos_,
                           fmt::format("the approval condition '{} is {}' can never hold: '{}' is not one of "
                                       "its choices ({})",
                                       in.name, value, value, fmt::join(in.choices, ", ")));
    }

    static std::string resolve_spelling(const Input& in, const std::string& value) {
        for (const auto& c : in.choices) {
            if (equals_icase(c, value)) return c;
        }
        return value;
    }

    bool auto_rollback(Guardrail& g) {
        const bool rollback = has_any(lower_, {"rollback", "roll back", "roll-back", "rolled back"});
        if (!rollback) return false;
        const bool automatic =
            has_any(lower_, {"auto", "on failure", "on any failure", "if ", "when ", "after a fail"});
        if (!automatic || has_any(lower_, {"no auto", "without auto", "manual rollback"})) return false;
        g.kind = GuardrailKind::auto_rollback;
        g.interpretation =
            wf_.rollback.empty()
                ? "on failure the run ends as failed (no Rollback steps to run); deploy redeploys the "
                  "last good commit when a deployment fails"
                : fmt::format(
                      "on failure the Rollback steps ({}) run; deploy redeploys the last good "
                      "commit when a deployment fails",
                      wf_.rollback.size());
        wf_.policy.auto_rollback = true;
        return true;
    }

    bool rate_limit(Guardrail& g) {
        // N <things> per|a|every [M] <unit> [per <key>]
        static constexpr std::array<std::pair<std::string_view, int>, 8> windows = {{{"second", 1},
                                                                                     {"minute", 60},
                                                                                     {"hour", 3600},
                                                                                     {"day", 86400},
                                                                                     {"week", 604800},
                                                                                     {"min", 60},
                                                                                     {"hr", 3600},
                                                                                     {"h", 3600}}};
        const auto count = find_count(lower_);
        if (!count || count->value < 1) return false;
        for (const std::string_view cue : {" per ", "/", " a ", " an ", " every ", " each ", " in "}) {
            const auto at = lower_.find(cue, count->end);
            if (at == std::string::npos || at > count->end + 40) continue;
            std::size_t w = at + cue.size();
            while (w < lower_.size() && lower_[w] == ' ') ++w;
            long long multiplier = 1;
            std::size_t digits = w;
            while (digits < lower_.size() && std::isdigit(static_cast<unsigned char>(lower_[digits])))
                ++digits;
            if (digits > w) {
                multiplier = std::stoll(lower_.substr(w, std::min<std::size_t>(digits - w, 6)));
                w = digits;
                while (w < lower_.size() && lower_[w] == ' ') ++w;
            }
            const std::string unit = word_at(lower_, w);
            for (const auto& [name, seconds] : windows) {
                if (unit != name && unit != std::string(name) + "s") continue;
                Policy::RateLimit r;
                r.max_runs = static_cast<int>(count->value);
                r.window_seconds = static_cast<int>(multiplier * seconds);
                resolve_key(lower_.substr(w + unit.size()), r.key_input);
                g.kind = GuardrailKind::rate_limit;
                g.interpretation =
                    fmt::format("at most {} run{} per {}{}; further runs are rejected", r.max_runs,
                                r.max_runs == 1 ? "" : "s", describe_seconds(r.window_seconds),
                                r.key_input.empty() ? "" : " for each value of input " + r.key_input);
                if (wf_.policy.rate_limit) conflict("rate limit");
                wf_.policy.rate_limit = r;
                return true;
            }
        }
        return false;
    }

    // "per service" after the window names the input that keys the budget.
    void resolve_key(std::string_view tail, std::string& key) {
        const auto at = tail.find("per ");
        if (at == std::string_view::npos) return;
        const std::string word = word_at(tail, at + 4);
        if (const Input* in = input_named_like(wf_, word)) {
            key = in->name;
        } else if (!word.empty()) {
            ctx_.diags.warning(
                pos_, fmt::format("'per {}' matches no input; the limit applies to all runs together", word));
        }
    }

    // "At most 3 steps at a time": steps of one run (those with `Needs:` run side by side), not runs.
    bool parallel_steps(Guardrail& g) {
        if (!has(lower_, "step") || !has_any(lower_, {"at a time", "at once", "in parallel", "concurrent"})) {
            return false;
        }
        const auto n = find_count(lower_);
        if (!n || n->value < 1 || n->value > 1000) return false;
        g.kind = GuardrailKind::parallel_steps;
        const int max = static_cast<int>(n->value);
        g.interpretation =
            fmt::format("at most {} step{} of a run at a time; the others wait for a free place", max,
                        max == 1 ? "" : "s");
        if (wf_.policy.max_parallel_steps) conflict("parallel steps");
        wf_.policy.max_parallel_steps = max;
        return true;
    }

    bool concurrency(Guardrail& g) {
        const bool about = has_any(lower_, {"concurren", "parallel", "simultaneous", "at a time", "at once",
                                            "overlapping", "in flight"});
        if (!about) return false;
        Policy::Concurrency c;
        if (has_any(lower_, {"no concurrent", "no parallel", "not in parallel", "never in parallel",
                             "one at a time", "single", "not run concurrently", "no overlapping",
                             "never run concurrently", "don't", "do not", "never", "not "})) {
            c.max_runs = 1;
        } else if (const auto n = find_count(lower_); n && n->value >= 1 && n->value <= 1000) {
            c.max_runs = static_cast<int>(n->value);
        } else {
            return false;
        }
        resolve_key(lower_, c.key_input);
        g.kind = GuardrailKind::concurrency;
        g.interpretation = fmt::format(
            "at most {} run{} at a time{}; a run that finds no free slot is rejected", c.max_runs,
            c.max_runs == 1 ? "" : "s", c.key_input.empty() ? "" : " for each value of input " + c.key_input);
        if (wf_.policy.concurrency) conflict("concurrency");
        wf_.policy.concurrency = c;
        return true;
    }

    bool retries(Guardrail& g) {
        if (!has(lower_, "retr")) return false;
        int n = 0;
        if (has_any(lower_, {"no retr", "do not retry", "don't retry", "never retry", "without retr"})) {
            n = 0;
        } else if (const auto c = find_count(lower_); c && c->value <= 100) {
            n = static_cast<int>(c->value);
        } else if (has(lower_, "retry")) {
            n = 1;
        } else {
            return false;
        }
        if (const auto d = find_duration_seconds(lower_))
            wf_.policy.retry_delay_seconds = static_cast<int>(d->value);
        g.kind = GuardrailKind::retries;
        g.interpretation =
            n == 0 ? "failed steps are not retried"
                   : fmt::format("a failed step is retried up to {} time{}, {} apart, doubling each time", n,
                                 n == 1 ? "" : "s", describe_seconds(wf_.policy.retry_delay_seconds));
        if (wf_.policy.retries != 0) conflict("retries");
        wf_.policy.retries = n;
        return true;
    }

    // "Keep run history for 30 days", "Keep the last 500 runs", "Delete run records after 2 weeks", "Keep run
    // history for 3 years" (find_duration_days: a month is 30 days, a year 365).
    bool history(Guardrail& g) {
        if (!has_any(lower_, {"history", "run records", "records of runs", "last "}) ||
            !has_any(lower_, {"keep", "retain", "retention", "delete", "prune", "remove", "purge"}) ||
            !has_any(lower_, {"history", "run", "record"}))
            return false;
        std::optional<int> days;
        std::optional<int> runs;
        if (const auto d = find_duration_days(lower_)) days = static_cast<int>(d->value);
        // "the last 500 runs": a count followed by "run".
        for (auto at = lower_.find("run"); at != std::string::npos; at = lower_.find("run", at + 1)) {
            std::size_t end = at;
            while (end > 0 && lower_[end - 1] == ' ') --end;
            std::size_t begin = end;
            while (begin > 0 && std::isdigit(static_cast<unsigned char>(lower_[begin - 1]))) --begin;
            if (begin < end && end - begin <= 7) {
                runs = std::stoi(lower_.substr(begin, end - begin));
                break;
            }
        }
        if ((!days && !runs) || (runs && *runs < 1) || (days && *days < 1)) return false;
        if (days) wf_.policy.history_days = *days;
        if (runs) wf_.policy.history_runs = *runs;
        g.kind = GuardrailKind::history_retention;
        g.interpretation = fmt::format(
            "run records (with their logs and working folders) older than {} day{} or beyond the newest {} "
            "are "
            "removed; live runs are kept",
            wf_.policy.history_days, wf_.policy.history_days == 1 ? "" : "s", wf_.policy.history_runs);
        return true;
    }

    bool memory(Guardrail& g) {
        if (!has_any(lower_, {"memory", "ram", "mem "})) return false;
        const auto size = find_size_bytes(lower_);
        if (!size) return false;
        g.kind = GuardrailKind::memory_limit;
        g.interpretation = fmt::format("memory limited to {} (the container's limit, set by deploy)",
                                       describe_bytes(static_cast<unsigned long long>(size->value)));
        if (wf_.policy.memory_limit_bytes) conflict("memory limit");
        wf_.policy.memory_limit_bytes = static_cast<std::uint64_t>(size->value);
        return true;
    }

    bool timeout(Guardrail& g) {
        const auto d = find_duration_seconds(lower_);
        if (!d) return false;
        if (!has_any(lower_, {"max", "timeout", "time out", "times out", "timed out", "time-out",
                              "time limit", "within", "no longer than", "at most", "must finish",
                              "must complete", "deadline", "limit", "longer than", "takes"})) {
            return false;
        }
        const bool per_step = has_any(lower_, {"step", "each command", "per command"});
        const int seconds = static_cast<int>(d->value);
        if (per_step) {
            g.kind = GuardrailKind::step_timeout;
            g.interpretation =
                fmt::format("each step is stopped after {} (its whole process group is killed)",
                            describe_seconds(seconds));
            if (wf_.policy.step_timeout_seconds) conflict("step timeout");
            wf_.policy.step_timeout_seconds = seconds;
        } else {
            g.kind = GuardrailKind::run_timeout;
            g.interpretation = fmt::format(
                "the whole run is stopped after {} (every process it started is killed) "
                "and ends as timed_out",
                describe_seconds(seconds));
            if (wf_.policy.run_timeout_seconds) conflict("run timeout");
            wf_.policy.run_timeout_seconds = seconds;
        }
        return true;
    }

    void conflict(std::string_view what) {
        ctx_.diags.warning(pos_,
                           fmt::format("a second {} guardrail: this one replaces the earlier one", what));
    }

    ParseContext& ctx_;
    Workflow& wf_;
    std::string text_, lower_;
    SourcePos pos_;
};

// A line read as advice that would be enforced with one word spelled right ("Step timout: 10 minutes") is
// almost surely a typo: say so rather than let a limit silently become advice. The corrected line is tried
// on a copy of the workflow, so nothing it would set leaks into the real one.
void suggest_spelling(ParseContext& ctx, const Guardrail& g) {
    static constexpr std::array words = {
        "timeout", "deployment", "deployments", "approval", "approve",    "required", "requires",
        "retries", "retry",      "concurrent",  "parallel", "memory",     "rollback", "minutes",
        "minute",  "seconds",    "second",      "hours",    "hour",       "maximum",  "limit",
        "within",  "finish",     "complete",    "manual",   "production", "failure",  "times"};
    if (g.text.size() > 300) return;
    std::string fixed = g.text;
    bool changed = false;
    for (std::size_t at = 0; at < fixed.size();) {
        if (!std::isalpha(static_cast<unsigned char>(fixed[at]))) {
            ++at;
            continue;
        }
        std::size_t end = at;
        while (end < fixed.size() && std::isalpha(static_cast<unsigned char>(fixed[end]))) ++end;
        const std::string word = to_lower(std::string_view(fixed).substr(at, end - at));
        const bool known = std::find(words.begin(), words.end(), word) != words.end();
        if (!known && word.size() >= 5) {
            // The nearest word within reach: one edit, two for long words.
            std::string_view best;
            std::size_t best_distance = 3;
            for (const std::string_view w : words) {
                const std::size_t d = edit_distance(word, w);
                if (d <= (w.size() >= 8 ? 2u : 1u) && d < best_distance) best = w, best_distance = d;
            }
            if (!best.empty()) {
                std::string spelled(best);
                if (std::isupper(static_cast<unsigned char>(fixed[at])))
                    spelled[0] = static_cast<char>(std::toupper(spelled[0]));
                fixed.replace(at, end - at, spelled);
                end = at + best.size();
                changed = true;
            }
        }
        at = end;
    }
    if (!changed) return;
    Workflow scratch = ctx.workflow;
    Diagnostics ignored;
    ParseContext trial{ctx.source, ignored, scratch};
    if (!GuardrailCompiler(trial, fixed, g.pos).compile().enforced) return;
    ctx.diags.warning(g.pos,
                      fmt::format("guardrail \"{}\" is read as advice for the agent, not enforced; did you "
                                  "mean \"{}\"?",
                                  g.text, fixed));
}

}  // namespace

void parse_guardrails(ParseContext& ctx, const std::vector<const Block*>& blocks) {
    // Each list item (nested ones too) or each paragraph line is one guardrail.
    std::vector<std::pair<std::string, SourcePos>> lines;
    std::function<void(const Block&)> visit = [&](const Block& b) {
        if (b.type == BlockType::paragraph) {
            std::vector<Run> current;
            for (const auto& r : b.runs) {
                if (r.kind == Run::Kind::softbreak || r.kind == Run::Kind::hardbreak) {
                    if (!current.empty())
                        lines.emplace_back(plain_text(current), ctx.pos_of_run(current.front(), b));
                    current.clear();
                } else {
                    current.push_back(r);
                }
            }
            if (!current.empty()) lines.emplace_back(plain_text(current), ctx.pos_of_run(current.front(), b));
        } else if (b.type == BlockType::code) {
            ctx.diags.warning(ctx.pos(b), "a code block in Guardrails is ignored");
        } else {
            for (const auto& c : b.children) visit(*c);
        }
    };
    for (const Block* b : blocks) visit(*b);
    for (auto& [text, pos] : lines) {
        if (trim(text).empty()) continue;
        if (ctx.workflow.guardrails.size() == kMaxGuardrails) {
            ctx.diags.error(pos,
                            fmt::format("more than {} guardrails (the guardrail limit)", kMaxGuardrails));
            return;
        }
        Guardrail g = GuardrailCompiler(ctx, text, pos).compile();
        if (!g.enforced) suggest_spelling(ctx, g);
        ctx.workflow.guardrails.push_back(std::move(g));
    }
}

}  // namespace df::compiler
