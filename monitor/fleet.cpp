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

std::map<std::string, LastRun> last_runs(const Registry& registry, const FleetSettings& settings,
                                         ServiceClient& client, const std::atomic<bool>* cancel) {
    RunsQuery query;
    query.limit = 1;
    std::map<std::string, LastRun> out;
    for (const auto& s : fetch_fleet_runs(registry, settings, client, query, cancel)) {
        LastRun last;
        if (s.error) {
            last.status = "unknown";
            last.error = s.error->message;
        } else if (s.page && !s.page->runs.empty()) {
            const RunSummary& r = s.page->runs.front();
            last = {r.run_id, r.status, r.ended_at.empty() ? r.started_at : r.ended_at, r.failed_step,
                    r.error};
        } else if (s.page) {
            last.status = "none";  // the service has no run recorded
        }
        if (!last.status.empty()) out[s.skill] = std::move(last);
    }
    return out;
}

}  // namespace df::monitor
