// Cron schedules: five fields, validated field by field and normalised to numbers, because busybox crond
// (the scheduler in the generated container) reads numbers most reliably.
#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

#include "common/text.h"
#include "compiler/parse_support.h"

namespace df::compiler {
namespace {

struct Field {
    const char* name;
    int min, max;
    std::array<const char*, 12> names;  // for month and day of week; index + min is the value
};

constexpr std::array<Field, 5> kFields = {{
    {"minute", 0, 59, {}},
    {"hour", 0, 23, {}},
    {"day of month", 1, 31, {}},
    {"month", 1, 12, {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
    {"day of week", 0, 7, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
}};

bool read_value(std::string_view text, const Field& f, int* out) {
    if (text.empty() || text.size() > 4) return false;
    if (std::all_of(text.begin(), text.end(),
                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
        *out = std::stoi(std::string(text));
        return true;
    }
    const std::string lower = to_lower(text);
    for (std::size_t i = 0; i < f.names.size() && f.names[i]; ++i) {
        if (lower == f.names[i]) {
            *out = static_cast<int>(i) + f.min;
            return true;
        }
    }
    return false;
}

std::string normalize_field(std::string_view text, int index, std::string* error) {
    const Field& f = kFields[static_cast<std::size_t>(index)];
    const auto where = [&] { return fmt::format("field {} ({})", index + 1, f.name); };
    std::vector<std::string> items;
    for (const auto item : split(text, ',')) {
        std::string_view range = item, step;
        if (const auto slash = item.find('/'); slash != std::string_view::npos) {
            range = item.substr(0, slash);
            step = item.substr(slash + 1);
        }
        int step_value = 0;
        if (!step.empty() || item.find('/') != std::string_view::npos) {
            if (!read_value(step, Field{"", 1, f.max, {}}, &step_value) || step_value < 1 ||
                step_value > f.max) {
                *error = fmt::format("{}: step '{}' must be a number from 1 to {}", where(), step, f.max);
                return {};
            }
        }
        std::string out;
        if (range == "*") {
            out = "*";
        } else {
            const auto dash = range.find('-');
            int lo = 0, hi = 0;
            const bool ok = dash == std::string_view::npos ? read_value(range, f, &lo)
                                                           : read_value(range.substr(0, dash), f, &lo) &&
                                                                 read_value(range.substr(dash + 1), f, &hi);
            if (!ok) {
                *error = fmt::format("{}: cannot read '{}'", where(), item);
                return {};
            }
            if (dash == std::string_view::npos) hi = lo;
            if (lo < f.min || lo > f.max || hi < f.min || hi > f.max) {
                *error = fmt::format("{}: '{}' is out of range {}-{}", where(), item, f.min, f.max);
                return {};
            }
            if (lo > hi) {
                *error = fmt::format("{}: range '{}' runs backwards", where(), item);
                return {};
            }
            if (dash == std::string_view::npos && step_value > 0) {
                *error = fmt::format("{}: '{}' needs a range or '*' before the step", where(), item);
                return {};
            }
            if (index == 4 && hi == 7) {  // Sunday written as 7: spelled out, with 7 as 0
                for (int v = lo; v <= hi; v += std::max(step_value, 1))
                    items.push_back(fmt::format("{}", v % 7));
                continue;
            }
            out = dash == std::string_view::npos ? fmt::format("{}", lo) : fmt::format("{}-{}", lo, hi);
        }
        if (step_value > 0) out += fmt::format("/{}", step_value);
        items.push_back(out);
    }
    std::string joined;
    for (const auto& i : items) joined += (joined.empty() ? "" : ",") + i;
    return joined;
}

}  // namespace

CronResult normalize_cron(std::string_view written) {
    std::string text(trim(written));
    const std::string lower = to_lower(text);
    static const std::pair<std::string_view, std::string_view> macros[] = {
        {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
        {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
        {"@hourly", "0 * * * *"}};
    for (const auto& [macro, expansion] : macros) {
        if (lower == macro) return {std::string(expansion), ""};
    }
    if (!lower.empty() && lower[0] == '@') {
        return {"",
                fmt::format("'{}' is not supported; use five fields or @hourly, @daily, @weekly, @monthly, "
                            "@yearly",
                            text)};
    }
    std::vector<std::string_view> fields;
    for (const auto part : split(text, ' ')) {
        for (const auto p : split(part, '\t')) {
            if (!p.empty()) fields.push_back(p);
        }
    }
    if (fields.size() != 5) {
        return {"", fmt::format(
                        "it has {} fields; cron needs five (minute hour day-of-month month day-of-week){}",
                        fields.size(), fields.size() == 6 ? ", and seconds are not supported" : "")};
    }
    std::string schedule, error;
    for (int i = 0; i < 5; ++i) {
        const std::string f = normalize_field(fields[static_cast<std::size_t>(i)], i, &error);
        if (!error.empty()) return {"", error};
        schedule += (i ? " " : "") + f;
    }
    return {schedule, ""};
}

}  // namespace df::compiler
