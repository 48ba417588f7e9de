// Asking every deployed skill's service at once: one GET /hooks/runs per skill, on a few threads (each
// service is its own host, so Coolify's rate limit does not apply).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/registry.h"
#include "monitor/model.h"
#include "monitor/service_client.h"

namespace df::monitor {

inline constexpr int kServiceThreads = 8;

struct FleetSettings {
    std::string secrets_dir;
    bool insecure_http = false;
};

struct SkillRuns {
    std::string skill;
    std::optional<RunsPage> page;  // set when the service answered
    std::optional<Error> error;    // no domain or token (config), unreachable, refused, bad answer
    bool page_full = false;        // the page holds `limit` runs: older ones exist
};

// The skills the registry has not removed and that have a domain, in name order, each asked once.
std::vector<SkillRuns> fetch_fleet_runs(const Registry& registry, const FleetSettings& settings,
                                        ServiceClient& client, const RunsQuery& query,
                                        const std::atomic<bool>* cancel);

// The newest run of each skill the registry has not removed and that has a domain (one request each),
// by skill name; a service that cannot be asked gives status "unknown" with the reason in `error`.
std::map<std::string, LastRun> last_runs(const Registry& registry, const FleetSettings& settings,
                                         ServiceClient& client, const std::atomic<bool>* cancel);

// Calls task(i) for i in [0, count) on up to `threads` threads; stops handing out work once `cancel` is
// raised.
void parallel_for(std::size_t count, int threads, const std::atomic<bool>* cancel,
                  const std::function<void(std::size_t)>& task);

}  // namespace df::monitor
