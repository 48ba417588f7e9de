#include "monitor/clock.h"

#include <ctime>
#include <thread>

namespace df::monitor {

namespace {

class SystemClock final : public Clock {
  public:
    std::int64_t now_seconds() override { return static_cast<std::int64_t>(std::time(nullptr)); }
    void sleep_for(std::chrono::milliseconds duration) override { std::this_thread::sleep_for(duration); }
};

}  // namespace

Clock& system_clock() {
    static SystemClock clock;
    return clock;
}

}  // namespace df::monitor
