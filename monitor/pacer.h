// Spacing requests so a burst of per-app calls never exceeds Coolify's rate limit (200 per minute per
// token by default, reference/coolify.md §1.4), and running them on a few threads at once.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>

#include "common/coolify/http.h"

namespace df::monitor {

// What monitor allows itself: leaves room under the default 200/min for a deploy running alongside.
inline constexpr int kPerAppRequestsPerMinute = 150;
inline constexpr int kConcurrency = 4;

// Hands out start times at least 60 s / per_minute apart, so any minute holds at most per_minute + 1 starts.
class Pacer {
  public:
    Pacer(http::Clock& clock, int per_minute);
    // Blocks until this caller may start its request; false when `cancel` was raised while waiting.
    bool wait_turn(const std::atomic<bool>* cancel);

  private:
    http::Clock& clock_;
    std::chrono::steady_clock::duration spacing_;
    std::mutex mutex_;
    std::chrono::steady_clock::time_point next_{};
};

// Calls task(i) for i in [0, count) on up to `threads` threads; each call first waits its turn at `pacer`.
// Stops handing out work once a task fails or `cancel` is raised; returns the first failure.
Status run_paced(std::size_t count, int threads, Pacer& pacer, const std::atomic<bool>* cancel,
                 const std::function<Status(std::size_t)>& task);

}  // namespace df::monitor
