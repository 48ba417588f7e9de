// Cron schedules as the service's scheduler reads them (five numeric fields, UTC in the image) and the
// dead-man's-switch arithmetic of `monitor --check`: when was a run last due, and is it missing?
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace df::monitor {

struct CronSchedule {
    std::string text;  // the five fields as written
    std::bitset<60> minutes;
    std::bitset<24> hours;
    std::bitset<32> days;     // 1–31
    std::bitset<13> months;   // 1–12
    std::bitset<7> weekdays;  // 0 = Sunday (7 is read as 0)
    // crond's rule: when both day fields are restricted (neither starts with '*') a day matches either.
    bool days_restricted = false;
    bool weekdays_restricted = false;
};

// Parses "M H DOM MON DOW" with `*`, numbers, ranges `a-b`, steps `*/n` `a-b/n` and lists; data_error
// naming the field otherwise.
Result<CronSchedule> parse_cron(std::string_view text);

// Whether the schedule fires in the minute that starts at `minute_start` (Unix seconds, UTC).
bool cron_fires_at(const CronSchedule& schedule, std::int64_t minute_start);

// The start of the latest minute at or before `at` in which the schedule fires, searching back at most
// five years; nullopt when it never fired in that time (e.g. `0 0 31 2 *`).
std::optional<std::int64_t> previous_fire(const CronSchedule& schedule, std::int64_t at);

// A cron run that should have started and did not.
struct MissedRun {
    std::string schedule;
    std::int64_t due = 0;  // the minute it was due (Unix seconds)
};

// What the missed-run rule needs to know about one skill.
struct CronHistory {
    std::int64_t deployed_at = 0;                 // runs due before the deployment are not expected
    std::optional<std::int64_t> last_cron_start;  // creation of the newest cron run seen, if any
    // Whether the runs seen reach back far enough: false when the page was full and even its oldest run is
    // newer than a due time (an older cron run might be off the page), so nothing is concluded.
    std::optional<std::int64_t> oldest_seen;  // creation of the oldest run on the page
    bool page_full = false;
};

// Healthchecks.io's rule for cron checks: the latest due time D at or before now − grace; the run is
// missing when it was expected (D after the deployment) and no cron run was created at or after D.
// Within the grace period a due run is "late" but not yet a problem. Returns the first schedule missed.
std::optional<MissedRun> missed_run(const std::vector<CronSchedule>& schedules, const CronHistory& history,
                                    std::int64_t now, std::int64_t grace_seconds);

}  // namespace df::monitor
