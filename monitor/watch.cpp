#include "monitor/watch.h"

#include <algorithm>
#include <ctime>
#include <ostream>

#include <fmt/format.h>

namespace df::monitor {

namespace {

bool is_fatal(ExitCode code) {
    return code == ExitCode::no_permission || code == ExitCode::config || code == ExitCode::usage ||
           code == ExitCode::data_error;
}

std::string clock_text(std::int64_t now) {
    const std::int64_t s = now % 86400;
    return fmt::format("{:02}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60);
}

}  // namespace

int effective_interval(const WatchSettings& settings) {
    const int floor_for_budget =
        (60 * std::max(1, settings.requests_per_refresh) + kRequestBudgetPerMinute - 1) /
        kRequestBudgetPerMinute;
    return std::max({1, settings.interval_seconds, floor_for_budget});
}

ExitCode run_watch(const WatchSettings& settings, http::Clock& clock, const std::atomic<bool>* cancel,
                   const RenderFrame& render, std::ostream& out, std::ostream& err) {
    const int interval = effective_interval(settings);
    if (interval != settings.interval_seconds) {
        report_note(err, "note",
                    fmt::format("refreshing every {}s to stay within the API rate limit", interval));
    }
    for (int frame = 1;; ++frame) {
        auto text = render();
        if (!text && is_fatal(text.error().code)) {
            return report(err, text.error());
        }
        if (settings.in_place)
            out << "\x1b[H\x1b[2J";  // home, clear screen
        else if (frame > 1 && settings.header)
            out << "\n";
        if (settings.header) {
            out << fmt::format("Every {}s, {} UTC (Ctrl-C to stop)\n\n", interval,
                               clock_text(static_cast<std::int64_t>(std::time(nullptr))));
        }
        if (text) {
            out << *text;
        } else {
            report(out, text.error());  // the frame shows the error in place of the listing
        }
        out << std::flush;
        if (settings.max_frames > 0 && frame >= settings.max_frames) return ExitCode::ok;
        if (!clock.sleep_for(std::chrono::seconds(interval), cancel)) return ExitCode::interrupted;
    }
}

}  // namespace df::monitor
