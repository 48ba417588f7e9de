#include "monitor/fleet.h"

#include <functional>
#include <thread>

namespace df::monitor {

void parallel_for(std::size_t count, int threads, const std::atomic<bool>* cancel,
                  const std::function<void(std::size_t)>& task) {
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        for (std::size_t i = next++; i < count; i = next++) {
            if (cancel && cancel->load()) return;
            task(i);
        }
    };
    std::vector<std::thread> pool;
    const std::size_t n = std::min<std::size_t>(count, static_cast<std::size_t>(threads));
    for (std::size_t t = 1; t < n; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
}

std::vector<SkillRuns> fetch_fleet_runs(const Registry& registry, const FleetSettings& settings,
                                        ServiceClient& client, const RunsQuery& query,
                                        const std::atomic<bool>* cancel) {
    std::vector<SkillRuns> out;
    std::vector<const SkillRecord*> records;
    for (const auto& [name, record] : registry.skills) {
        if (record.status == "removed" || record.fqdn.empty()) continue;
        out.push_back(SkillRuns{name, std::nullopt, std::nullopt, false});
        records.push_back(&record);
    }
    parallel_for(out.size(), kServiceThreads, cancel, [&](std::size_t i) {
        auto target = service_target(out[i].skill, *records[i], settings.secrets_dir, settings.insecure_http);
        if (!target) {
            out[i].error = target.error();
            return;
        }
        auto page = client.runs(*target, query);
        if (!page) {
            out[i].error = page.error();
            return;
        }
        out[i].page_full = static_cast<int>(page->runs.size()) >= query.limit;
        out[i].page = std::move(*page);
    });
    return out;
}

}  // namespace df::monitor
