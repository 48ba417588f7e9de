// The passage of time, behind an interface so the --watch and --follow loops can be tested without waiting.
#pragma once

#include <chrono>
#include <cstdint>

namespace df::monitor {

class Clock {
  public:
    virtual ~Clock() = default;
    // Seconds since the epoch (UTC), for "how long ago" and durations of running deployments.
    virtual std::int64_t now_seconds() = 0;
    virtual void sleep_for(std::chrono::milliseconds duration) = 0;
};

// The real clock: time(2) and nanosleep.
Clock& system_clock();

}  // namespace df::monitor
