// `--watch [SECONDS]`: redraw a view every few seconds — in place on a terminal, as successive frames
// elsewhere — without ever exceeding Coolify's request budget.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <iosfwd>
#include <string>

#include "common/coolify/http.h"
#include "common/error.h"

namespace df::monitor {

// Coolify allows 200 requests per minute per token (reference/coolify.md §1.4); monitor keeps its
// own share of that well below half, so a deploy running at the same time never hits the limit.
inline constexpr int kRequestBudgetPerMinute = 60;
inline constexpr int kDefaultWatchSeconds = 10;

struct WatchSettings {
    int interval_seconds = kDefaultWatchSeconds;
    int requests_per_refresh = 1;  // what one frame costs
    bool in_place = false;         // a terminal: clear the screen and redraw from the top
    bool header = true;            // a line with the interval and time above each frame (not for --json)
    int max_frames = 0;            // stop after this many frames (tests); 0 = until interrupted
};

// The interval actually used: the requested one, raised so `requests_per_refresh` per frame stays within
// kRequestBudgetPerMinute, and never below one second.
int effective_interval(const WatchSettings& settings);

// One frame: the view's text, or an error. Transient errors (unreachable, 429, 5xx, bad JSON) are shown in
// the frame and the loop goes on; a permission or configuration error ends it with that error's code.
using RenderFrame = std::function<Result<std::string>()>;

// Ends with ExitCode::interrupted when `cancel` is raised (Ctrl-C). The header shows `wall_clock()`.
ExitCode run_watch(const WatchSettings& settings, http::Clock& clock, const std::atomic<bool>* cancel,
                   const RenderFrame& render, std::ostream& out, std::ostream& err);

}  // namespace df::monitor
