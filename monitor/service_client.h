// What monitor asks a deployed skill's own service (not Coolify): its recent runs (`GET /hooks/runs`) and
// one run's record (`GET /hooks/status`), authenticated with the trigger token `deploy` generated and kept
// in `<secrets_dir>/<skill>.env`. docs/service.md documents both hooks; docs/monitor.md the views on them.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/coolify/http.h"
#include "common/error.h"
#include "common/registry.h"

namespace df::monitor {

// Where one skill's service answers and how to authenticate. The token is never printed.
struct ServiceTarget {
    std::string skill;
    std::string base_url;      // "https://df-x.example.com" (the registry's fqdn, first URL)
    std::string token_header;  // X-DF-Token or X-DF-Approve-Token
    std::string token;
    std::string secrets_file;  // where the token was looked for (for messages)
};

// The service of a registry skill: its fqdn and the token from `<secrets_dir>/<skill>.env`. config (78)
// when the skill has no domain, no token is stored, or the URL is plain http:// to a host that is not
// loopback without `insecure_http` (the token would cross the network in clear).
Result<ServiceTarget> service_target(const std::string& skill, const SkillRecord& record,
                                     const std::string& secrets_dir, bool insecure_http);

// One entry of the runs hook's answer.
struct RunSummary {
    std::string run_id, status, trigger, version, started_at, ended_at, failed_step, error, approval;
    std::optional<std::int64_t> duration_ms;
    std::int64_t created = 0;  // Unix seconds of the run's creation (from started_at, else the run id)
};

struct RunsPage {
    std::vector<RunSummary> runs;  // newest first
    std::string next_before;       // empty on the last page
};

struct RunsQuery {
    std::string status;  // "failed" or "failed,timed_out"; empty = all
    std::string since;   // "2026-12-01T08:00:00Z" or "2026-12-01"
    std::string before;  // a run id: the next page's cursor
    int limit = 20;
};

// The status hook's answer to log=tail (docs/service.md, "Run log").
struct RunLogTail {
    bool kept = false;  // false: the service kept no log for the run (or is older than the log hook)
    std::string text;   // the last lines, secrets the service knows already masked
    bool truncated = false;
};

// True for the statuses that end a run badly (the metrics hook's failure set; `rejected` is not one).
bool is_failed_status(std::string_view status);
// True for queued, awaiting_approval and running.
bool is_live_status(std::string_view status);

// The services are asked briefly (3 s to connect, 10 s in all, a GET tried at most twice): a check must end.
http::Options service_http_options(const std::string& ca_file, const std::atomic<bool>* cancel);

class ServiceClient {
  public:
    ServiceClient(http::Options base, std::shared_ptr<http::Transport> transport, http::Clock* clock);

    // GET /hooks/runs: exactly one request (GET, so the client may retry a lost answer).
    Result<RunsPage> runs(const ServiceTarget& target, const RunsQuery& query);
    // GET /hooks/status?run_id=ID: the run record as the service wrote it (JSON text).
    Result<std::string> run_record(const ServiceTarget& target, const std::string& run_id);
    // GET /hooks/status?run_id=ID&log=tail&lines=N: the end of the run's log, masked by the service.
    Result<RunLogTail> run_log_tail(const ServiceTarget& target, const std::string& run_id, int lines);

  private:
    Result<std::string> get(const ServiceTarget& target, const std::string& path_and_query);
    http::Options base_;
    std::shared_ptr<http::Transport> transport_;
    http::Clock* clock_;
};

// Parses the runs hook's answer; protocol (76) when it is not the documented JSON.
Result<RunsPage> parse_runs_page(std::string_view body, std::string_view origin);

// True for a run id as the service makes them: 20260101T120000Z-0123abcd.
bool is_run_id(std::string_view text);

}  // namespace df::monitor
