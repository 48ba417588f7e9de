#include "monitor/check.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "monitor/json.h"

namespace df::monitor {

namespace {

constexpr std::size_t kNamedProblems = 5;  // keep the summary line readable in cron mail

std::string reason_for(const AppRow& row) {
    if (!row.in_coolify) return "missing in Coolify";
    return row.status.empty() ? std::string(health_name(row.health)) : row.status;
}

std::string action_for(const AppRow& row) {
    if (!row.in_coolify)
        return fmt::format("deploy {} again, or `deploy --remove {}` if it is gone for good", row.skill,
                           row.skill);
    return fmt::format("see `monitor {}` and `monitor {} --logs`", row.skill, row.skill);
}

std::string_view verdict_word(ExitCode code) {
    switch (code) {
        case ExitCode::ok:
            return "OK";
        case ExitCode::failed:
            return "FAIL";
        case ExitCode::unavailable:
            return "UNREACHABLE";
        case ExitCode::no_permission:
            return "DENIED";
        case ExitCode::config:
            return "CONFIG";
        default:
            return "ERROR";
    }
}

// The short words of the summary line; the problem's own line says the rest.
std::string label(const CheckProblem& p) {
    if (p.kind == "app_health" || p.kind == "missing") return p.reason;
    if (p.kind == "last_run_failed") return "last run failed";
    if (p.kind == "missed_run") return "missed cron run";
    if (p.kind == "stuck_run") return "stuck run";
    if (p.kind == "approval_waiting") return "approval waiting";
    return "runs unreadable";
}

std::string problem_list(const std::vector<CheckProblem>& problems) {
    std::string text;
    for (std::size_t i = 0; i < problems.size() && i < kNamedProblems; ++i) {
        if (i > 0) text += ", ";
        text += fmt::format("{} ({})", problems[i].app, label(problems[i]));
    }
    if (problems.size() > kNamedProblems)
        text += fmt::format(" and {} more", problems.size() - kNamedProblems);
    return text;
}

std::string app_of(const std::string& skill, const Registry& registry) {
    const auto it = registry.skills.find(skill);
    if (it != registry.skills.end() && !it->second.app_name.empty()) return it->second.app_name;
    return std::string(kAppPrefix) + skill;
}

}  // namespace

CheckInput health_input(const Listing& listing) {
    CheckInput input;
    for (const auto& row : listing.apps) {
        if (row.removed) continue;  // removed with deploy --remove: neither healthy nor a problem
        input.apps.push_back(row.app);
        if (!(row.in_coolify && is_ok(row.health)))
            input.problems.push_back(
                {row.app, reason_for(row), row.in_coolify ? "app_health" : "missing", action_for(row)});
    }
    return input;
}

CheckInput registry_input(const Registry& registry) {
    CheckInput input;
    for (const auto& [name, record] : registry.skills) {
        if (record.status != "removed") input.apps.push_back(app_of(name, registry));
    }
    return input;
}

void add_run_problems(CheckInput& input, const std::vector<SkillRuns>& runs, const Registry& registry,
                      const Thresholds& limits, std::int64_t now) {
    for (const auto& s : runs) {
        const std::string app = app_of(s.skill, registry);
        if (std::find(input.apps.begin(), input.apps.end(), app) == input.apps.end())
            input.apps.push_back(app);
        if (s.error) {
            input.problems.push_back(
                {app, "cannot read its runs: " + s.error->message, "runs_unreadable",
                 fmt::format("see `monitor {}`: is the app up and its domain right?", s.skill)});
            continue;
        }
        if (!s.page) continue;  // interrupted before its turn
        const auto it = registry.skills.find(s.skill);
        const Expectations expect =
            it == registry.skills.end() ? Expectations{} : expectations_for(it->second);
        for (auto& p : run_problems(s.skill, *s.page, s.page_full, expect, limits, now))
            input.problems.push_back({app, std::move(p.reason), std::move(p.kind), std::move(p.action)});
    }
}

CheckResult conclude_check(CheckInput input) {
    CheckResult result;
    result.total = static_cast<int>(input.apps.size());
    std::set<std::string> failing;
    for (const auto& p : input.problems) failing.insert(p.app);
    result.healthy = result.total - static_cast<int>(failing.size());
    result.problems = std::move(input.problems);
    if (result.problems.empty()) {
        result.summary = result.total == 0
                             ? "OK: no df-* apps deployed"
                             : fmt::format("OK: {} of {} skills healthy", result.healthy, result.total);
        return result;
    }
    result.code = ExitCode::failed;
    result.summary = fmt::format("FAIL: {} of {} skills not healthy: {}", failing.size(), result.total,
                                 problem_list(result.problems));
    return result;
}

CheckResult evaluate_check(const Listing& listing) {
    return conclude_check(health_input(listing));
}

CheckResult check_from_error(const Error& error) {
    CheckResult result;
    result.code = error.code;
    result.summary = fmt::format("{}: {}", verdict_word(error.code), error.message);
    return result;
}

std::string check_text(const CheckResult& result) {
    std::string out = result.summary + "\n";
    if (result.code != ExitCode::failed) return out;
    for (const auto& p : result.problems) out += fmt::format("{}: {}; {}\n", p.app, p.reason, p.action);
    return out;
}

void put_check_fields(JsonOut& j, const CheckResult& result) {
    j.field("summary", result.summary);
    j.field("total", result.total);
    j.field("healthy", result.healthy);
    j.begin_array("problems");
    for (const auto& p : result.problems) {
        j.begin_object().field("app", p.app).field("kind", p.kind).field("reason", p.reason);
        j.field("action", p.action).end_object();
    }
    j.end_array();
}

std::string check_json(const CheckResult& result) {
    JsonOut j;
    j.begin_object();
    j.field("status", exit_code_name(result.code));
    j.field("exit_code", static_cast<int>(result.code));
    put_check_fields(j, result);
    j.end_object();
    return j.str();
}

}  // namespace df::monitor
