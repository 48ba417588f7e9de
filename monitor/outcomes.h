// What a skill's recent runs say is wrong (pure: the runs page, the deployed version's schedules and
// timeout, the thresholds and "now" in; problems out). `monitor --check` adds these to the apps' health.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/registry.h"
#include "monitor/schedule.h"
#include "monitor/service_client.h"

namespace df::monitor {

inline constexpr int kCheckRunsLimit = 50;  // runs read per skill per check: one request

struct Thresholds {
    std::int64_t grace_seconds = 600;            // --grace: a due cron run may start this late
    std::int64_t approval_seconds = 3600;        // --approval-wait: an approval may wait this long
    std::int64_t stuck_without_timeout = 86400;  // a run of a workflow without a run timeout
};

// What the deployed version promises: from the registry's newest finished deploy of the running commit.
struct Expectations {
    std::vector<CronSchedule> schedules;
    std::optional<int> run_timeout_seconds;
    std::int64_t deployed_at = 0;  // runs due earlier are not expected
};
Expectations expectations_for(const SkillRecord& record);

struct RunProblem {
    std::string kind;    // last_run_failed, missed_run, stuck_run, approval_waiting
    std::string reason;  // what is wrong, one line
    std::string action;  // what to do, one line
    std::string run_id;  // the run concerned, empty for a missed run
};

std::vector<RunProblem> run_problems(const std::string& skill, const RunsPage& page, bool page_full,
                                     const Expectations& expect, const Thresholds& limits, std::int64_t now);

// "2026-12-03 08:47 UTC" for a Unix time.
std::string format_utc_minute(std::int64_t t);

}  // namespace df::monitor
