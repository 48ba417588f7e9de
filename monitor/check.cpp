#include "monitor/check.h"

#include <fmt/format.h>

#include "monitor/json.h"

namespace df::monitor {

namespace {

constexpr std::size_t kNamedProblems = 5;  // keep the line readable in cron mail

std::string reason_for(const AppRow& row) {
    if (!row.in_coolify) return "missing in Coolify";
    return row.status.empty() ? std::string(health_name(row.health)) : row.status;
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

std::string problem_list(const std::vector<CheckProblem>& problems) {
    std::string text;
    for (std::size_t i = 0; i < problems.size() && i < kNamedProblems; ++i) {
        if (i > 0) text += ", ";
        text += fmt::format("{} ({})", problems[i].app, problems[i].reason);
    }
    if (problems.size() > kNamedProblems)
        text += fmt::format(" and {} more", problems.size() - kNamedProblems);
    return text;
}

}  // namespace

CheckResult evaluate_check(const Listing& listing) {
    CheckResult result;
    for (const auto& row : listing.apps) {
        if (row.removed) continue;  // removed with deploy --remove: neither healthy nor a problem
        ++result.total;
        if (row.in_coolify && is_ok(row.health)) {
            ++result.healthy;
        } else {
            result.problems.push_back({row.app, reason_for(row)});
        }
    }
    if (result.problems.empty()) {
        result.summary = result.total == 0
                             ? "OK: no df-* apps deployed"
                             : fmt::format("OK: {} of {} skills healthy", result.healthy, result.total);
        return result;
    }
    result.code = ExitCode::failed;
    result.summary = fmt::format("FAIL: {} of {} skills not healthy: {}", result.problems.size(),
                                 result.total, problem_list(result.problems));
    return result;
}

CheckResult check_from_error(const Error& error) {
    CheckResult result;
    result.code = error.code;
    result.summary = fmt::format("{}: {}", verdict_word(error.code), error.message);
    return result;
}

std::string check_json(const CheckResult& result) {
    JsonOut j;
    j.begin_object();
    j.field("status", exit_code_name(result.code));
    j.field("exit_code", static_cast<int>(result.code));
    j.field("summary", result.summary);
    j.field("total", result.total);
    j.field("healthy", result.healthy);
    j.begin_array("problems");
    for (const auto& p : result.problems)
        j.begin_object().field("app", p.app).field("reason", p.reason).end_object();
    j.end_array();
    j.end_object();
    return j.str();
}

}  // namespace df::monitor
