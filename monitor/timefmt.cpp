#include "monitor/timefmt.h"

#include <charconv>

#include <fmt/format.h>

namespace df::monitor {

namespace {

bool read_int(std::string_view text, std::size_t pos, std::size_t len, int& out) {
    if (pos + len > text.size()) return false;
    const char* first = text.data() + pos;
    const auto [ptr, ec] = std::from_chars(first, first + len, out);
    return ec == std::errc() && ptr == first + len;
}

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}

// Offset in seconds of a "Z", "+hh:mm" or "-hh:mm" suffix after fractional seconds; false when malformed.
bool read_zone(std::string_view rest, std::int64_t& offset) {
    std::size_t i = 0;
    if (i < rest.size() && rest[i] == '.') {
        ++i;
        while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
    }
    rest.remove_prefix(i);
    offset = 0;
    if (rest.empty() || rest == "Z") return true;
    int hh = 0, mm = 0;
    if (rest.size() != 6 || (rest[0] != '+' && rest[0] != '-') || rest[3] != ':') return false;
    if (!read_int(rest, 1, 2, hh) || !read_int(rest, 4, 2, mm)) return false;
    offset = (hh * 3600 + mm * 60) * (rest[0] == '-' ? -1 : 1);
    return true;
}

}  // namespace

std::optional<std::int64_t> parse_timestamp(std::string_view text) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (text.size() < 19 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != ' ') ||
        text[13] != ':' || text[16] != ':') {
        return std::nullopt;
    }
    if (!read_int(text, 0, 4, y) || !read_int(text, 5, 2, mo) || !read_int(text, 8, 2, d) ||
        !read_int(text, 11, 2, h) || !read_int(text, 14, 2, mi) || !read_int(text, 17, 2, s)) {
        return std::nullopt;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
    std::int64_t offset = 0;
    if (!read_zone(text.substr(19), offset)) return std::nullopt;
    return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset;
}

std::string format_duration(std::int64_t seconds) {
    if (seconds < 0) seconds = 0;
    if (seconds < 60) return fmt::format("{}s", seconds);
    if (seconds < 3600) return fmt::format("{}m {:02}s", seconds / 60, seconds % 60);
    if (seconds < 86400) return fmt::format("{}h {:02}m", seconds / 3600, seconds % 3600 / 60);
    return fmt::format("{}d {}h", seconds / 86400, seconds % 86400 / 3600);
}

std::string format_timestamp(std::string_view text) {
    const auto t = parse_timestamp(text);
    if (!t) return std::string(text);
    const std::int64_t days = *t >= 0 ? *t / 86400 : (*t - 86399) / 86400;
    const std::int64_t secs = *t - days * 86400;
    // civil_from_days (Hinnant), the inverse of days_from_civil.
    const std::int64_t z = days + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
    const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t year = yoe + era * 400 + (month <= 2);
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", year, month, day, secs / 3600, secs % 3600 / 60,
                       secs % 60);
}

}  // namespace df::monitor
