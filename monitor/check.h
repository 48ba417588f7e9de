// `monitor --check`: one verdict for cron and monitoring systems: a summary line, then one line per problem.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"
#include "monitor/fleet.h"
#include "monitor/json.h"
#include "monitor/model.h"
#include "monitor/outcomes.h"

namespace df::monitor {

struct CheckProblem {
    std::string app;     // "df-x"
    std::string reason;  // "exited:unhealthy", "missing in Coolify", "last run … failed at step …"
    std::string kind = "app_health";  // app_health, missing, last_run_failed, missed_run, stuck_run,
                                      // approval_waiting, runs_unreadable
    std::string action;               // what to do, one line
};

struct CheckResult {
    ExitCode code = ExitCode::ok;  // ok, failed, or the error's code
    std::string summary;           // the first line (no newline)
    int total = 0;                 // skills considered
    int healthy = 0;
    std::vector<CheckProblem> problems;
};

// The apps considered and what is wrong with them, before the verdict.
struct CheckInput {
    std::vector<std::string> apps;  // "df-x", each once
    std::vector<CheckProblem> problems;
};

// The apps' health from the listing: every df-* app must pass is_ok(), every registered skill must be in
// Coolify; removed skills are not considered.
CheckInput health_input(const Listing& listing);
// The registry's skills that are not removed (for `--check --offline`, without Coolify).
CheckInput registry_input(const Registry& registry);
// Adds the problems the skills' runs show (one page of runs per skill, already fetched).
void add_run_problems(CheckInput& input, const std::vector<SkillRuns>& runs, const Registry& registry,
                      const Thresholds& limits, std::int64_t now);

// ok when nothing is wrong, failed (1) otherwise; the summary names at most five problems.
CheckResult conclude_check(CheckInput input);
CheckResult evaluate_check(const Listing& listing);

// The verdict when the check could not be made: Coolify unreachable (69), credentials refused (77),
// configuration missing (78), or whatever code the error carries.
CheckResult check_from_error(const Error& error);

// The summary line, then "app: reason; action" per problem.
std::string check_text(const CheckResult& result);
// {"status", "exit_code", "summary", "total", "healthy", "problems": [{"app", "kind", "reason", "action"}]}
std::string check_json(const CheckResult& result);
// The verdict's fields shared by --check --json and the alert message: summary, total, healthy, problems.
void put_check_fields(JsonOut& j, const CheckResult& result);

}  // namespace df::monitor
