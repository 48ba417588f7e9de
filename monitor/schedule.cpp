#include "monitor/schedule.h"

#include <charconv>
#include <ctime>

#include <fmt/format.h>

#include "common/text.h"

namespace df::monitor {

namespace {

constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kSearchDays = 366 * 5 + 2;

std::optional<int> number(std::string_view s) {
    int v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

// Sets the bits of one field ("1,5-10/2,*/15") within [lo, hi]; false when malformed or out of range.
template <std::size_t N>
bool parse_field(std::string_view field, int lo, int hi, std::bitset<N>& bits) {
    for (auto item : split(field, ',')) {
        int step = 1;
        if (const auto slash = item.find('/'); slash != std::string_view::npos) {
            const auto s = number(item.substr(slash + 1));
            if (!s || *s < 1) return false;
            step = *s;
            item = item.substr(0, slash);
        }
        int first = lo, last = hi;
        if (item != "*") {
            const auto dash = item.find('-');
            const auto a = number(item.substr(0, dash));
            const auto b = dash == std::string_view::npos ? a : number(item.substr(dash + 1));
            if (!a || !b || *a > *b) return false;
            first = *a, last = *b;
            if (dash == std::string_view::npos && step > 1) last = hi;  // "5/10" as crond: from 5 on
        }
        if (first < lo || last > hi) return false;
        for (int v = first; v <= last; v += step) bits.set(static_cast<std::size_t>(v));
    }
    return true;
}

std::tm utc(std::int64_t t) {
    const auto tt = static_cast<std::time_t>(t);
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    return tm;
}

bool day_fires(const CronSchedule& s, const std::tm& tm) {
    if (!s.months.test(static_cast<std::size_t>(tm.tm_mon + 1))) return false;
    const bool dom = s.days.test(static_cast<std::size_t>(tm.tm_mday));
    const bool dow = s.weekdays.test(static_cast<std::size_t>(tm.tm_wday));
    if (s.days_restricted && s.weekdays_restricted) return dom || dow;
    return dom && dow;
}

}  // namespace

Result<CronSchedule> parse_cron(std::string_view text) {
    CronSchedule s;
    s.text = std::string(text);
    std::vector<std::string_view> fields;
    for (auto f : split(trim(text), ' ')) {
        if (!f.empty()) fields.push_back(f);
    }
    if (fields.size() != 5)
        return Error{ExitCode::data_error, fmt::format("cron schedule '{}' does not have five fields", text)};
    std::bitset<8> weekdays;
    const bool good = parse_field(fields[0], 0, 59, s.minutes) && parse_field(fields[1], 0, 23, s.hours) &&
                      parse_field(fields[2], 1, 31, s.days) && parse_field(fields[3], 1, 12, s.months) &&
                      parse_field(fields[4], 0, 7, weekdays);
    if (!good) return Error{ExitCode::data_error, fmt::format("cron schedule '{}' is malformed", text)};
    for (std::size_t d = 0; d < 7; ++d) s.weekdays[d] = weekdays[d];
    if (weekdays[7]) s.weekdays.set(0);
    s.days_restricted = fields[2].front() != '*';
    s.weekdays_restricted = fields[4].front() != '*';
    return s;
}

bool cron_fires_at(const CronSchedule& s, std::int64_t minute_start) {
    const std::tm tm = utc(minute_start);
    return day_fires(s, tm) && s.hours.test(static_cast<std::size_t>(tm.tm_hour)) &&
           s.minutes.test(static_cast<std::size_t>(tm.tm_min));
}

std::optional<std::int64_t> previous_fire(const CronSchedule& s, std::int64_t at) {
    const std::int64_t midnight = at - ((at % kDay) + kDay) % kDay;
    for (std::int64_t d = 0; d < kSearchDays; ++d) {
        const std::int64_t day = midnight - d * kDay;
        if (!day_fires(s, utc(day))) continue;
        const bool today = d == 0;
        const int max_hour = today ? utc(at).tm_hour : 23;
        for (int h = max_hour; h >= 0; --h) {
            if (!s.hours.test(static_cast<std::size_t>(h))) continue;
            const int max_minute = today && h == max_hour ? utc(at).tm_min : 59;
            for (int m = max_minute; m >= 0; --m) {
                if (s.minutes.test(static_cast<std::size_t>(m))) return day + h * 3600 + m * 60;
            }
        }
    }
    return std::nullopt;
}

std::optional<MissedRun> missed_run(const std::vector<CronSchedule>& schedules, const CronHistory& history,
                                    std::int64_t now, std::int64_t grace_seconds) {
    for (const auto& s : schedules) {
        const auto due = previous_fire(s, now - grace_seconds);
        if (!due || *due < history.deployed_at) continue;  // never due since the deployment
        if (history.last_cron_start && *history.last_cron_start >= *due) continue;
        if (history.page_full && history.oldest_seen && *history.oldest_seen >= *due) continue;
        return MissedRun{s.text, *due};
    }
    return std::nullopt;
}

}  // namespace df::monitor
