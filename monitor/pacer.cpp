#include "monitor/pacer.h"

#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>
#include <vector>

namespace df::monitor {

Pacer::Pacer(http::Clock& clock, int per_minute)
    : clock_(clock),
      spacing_(std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::minutes(1)) /
               std::max(1, per_minute)) {}

bool Pacer::wait_turn(const std::atomic<bool>* cancel) {
    std::chrono::steady_clock::time_point start;
    {
        std::lock_guard lock(mutex_);
        const auto now = clock_.now();
        start = std::max(now, next_);
        next_ = start + spacing_;
    }
    const auto wait = std::chrono::duration_cast<http::Millis>(start - clock_.now());
    if (wait.count() > 0) return clock_.sleep_for(wait, cancel);
    return !(cancel && cancel->load());
}

Status run_paced(std::size_t count, int threads, Pacer& pacer, const std::atomic<bool>* cancel,
                 const std::function<Status(std::size_t)>& task) {
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    std::mutex error_mutex;
    std::optional<Error> first_error;
    auto worker = [&] {
        for (;;) {
            if (stop.load()) return;
            const std::size_t i = next.fetch_add(1);
            if (i >= count) return;
            if (!pacer.wait_turn(cancel)) {
                stop = true;
                return;
            }
            if (auto s = task(i); !s) {
                std::lock_guard lock(error_mutex);
                if (!first_error) first_error = s.error();
                stop = true;
            }
        }
    };
    const int n =
        static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(std::max(1, threads)), count));
    std::vector<std::thread> pool;
    for (int t = 0; t < n; ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
    if (first_error) return *first_error;
    if (cancel && cancel->load()) return Error{ExitCode::interrupted, "interrupted"};
    return ok();
}

}  // namespace df::monitor
