#include "monitor/outcomes.h"

#include <ctime>

#include <fmt/format.h>

#include "common/text.h"
#include "monitor/timefmt.h"

namespace df::monitor {

namespace {

std::optional<RunProblem> last_run_failed(const std::string& skill, const RunsPage& page) {
    for (const auto& r : page.runs) {
        if (is_live_status(r.status) || r.status == "rejected")
            continue;  // refused by a guardrail: not a failure
        if (!is_failed_status(r.status)) return std::nullopt;
        std::string reason = fmt::format("last run {} {}", r.run_id, r.status);
        if (!r.failed_step.empty()) reason += fmt::format(" at step {}", r.failed_step);
        if (!r.error.empty()) reason += ": " + truncate_utf8(collapse_whitespace(r.error), 120);
        return RunProblem{
            "last_run_failed", reason,
            fmt::format("see `monitor {} --run {}`, fix the cause and start a run again", skill, r.run_id),
            r.run_id};
    }
    return std::nullopt;
}

void live_run_problems(const std::string& skill, const RunsPage& page, const Expectations& expect,
                       const Thresholds& limits, std::int64_t now, std::vector<RunProblem>& out) {
    for (const auto& r : page.runs) {
        const std::int64_t age = now - r.created;
        if (r.status == "awaiting_approval" && age > limits.approval_seconds) {
            out.push_back(
                {"approval_waiting",
                 fmt::format("run {} has waited {} for an approval", r.run_id, format_duration(age)),
                 fmt::format("approve or deny it (POST /hooks/approve with run_id {}), or let it expire",
                             r.run_id),
                 r.run_id});
        } else if (r.status == "running" || r.status == "queued") {
            const std::int64_t limit = expect.run_timeout_seconds
                                           ? *expect.run_timeout_seconds + limits.grace_seconds
                                           : limits.stuck_without_timeout;
            if (age <= limit) continue;
            const std::string past =
                expect.run_timeout_seconds
                    ? fmt::format("past its {} timeout", format_duration(*expect.run_timeout_seconds))
                    : "and the workflow sets no run timeout";
            out.push_back(
                {"stuck_run",
                 fmt::format("run {} is {} for {} {}", r.run_id, r.status, format_duration(age), past),
                 fmt::format("look at `monitor {} --run {}` and `monitor {} --logs`; restart the app if "
                             "the run hangs",
                             skill, r.run_id, skill),
                 r.run_id});
        }
    }
}

}  // namespace

std::string format_utc_minute(std::int64_t t) {
    const auto tt = static_cast<std::time_t>(t);
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M UTC", &tm);
    return buffer;
}

Expectations expectations_for(const SkillRecord& record) {
    Expectations e;
    const DeployRecord* running = record.running_deploy();
    if (!running) return e;
    e.run_timeout_seconds = running->run_timeout_seconds;
    e.deployed_at = parse_timestamp(running->finished_at).value_or(0);
    for (const auto& text : running->schedules) {
        if (auto s = parse_cron(text)) e.schedules.push_back(std::move(*s));
    }
    return e;
}

std::vector<RunProblem> run_problems(const std::string& skill, const RunsPage& page, bool page_full,
                                     const Expectations& expect, const Thresholds& limits, std::int64_t now) {
    std::vector<RunProblem> out;
    if (auto p = last_run_failed(skill, page)) out.push_back(std::move(*p));
    CronHistory history;
    history.deployed_at = expect.deployed_at;
    history.page_full = page_full;
    for (const auto& r : page.runs) {
        if (r.trigger == "cron" && !history.last_cron_start) history.last_cron_start = r.created;
        history.oldest_seen = r.created;
    }
    if (auto missed = missed_run(expect.schedules, history, now, limits.grace_seconds)) {
        out.push_back(
            {"missed_run",
             fmt::format("no cron run since {} (schedule `{}`, grace {} min)", format_utc_minute(missed->due),
                         missed->schedule, limits.grace_seconds / 60),
             fmt::format("check that the app runs (`monitor {}`) and its scheduler (`monitor {} --logs`)",
                         skill, skill),
             ""});
    }
    live_run_problems(skill, page, expect, limits, now, out);
    return out;
}

}  // namespace df::monitor
