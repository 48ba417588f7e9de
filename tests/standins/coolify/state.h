// A stand-in for a Coolify v4 server, for tests only: 127.0.0.1, Bearer token, the endpoints deploy and
// monitor use, with the shapes and rules recorded in reference/coolify.md (uuids, status strings, the
// deployment life cycle, one in-progress deployment per app, the dedupe trap, 422 validation, version
// differences) and fault injection. It "builds" by cloning the app's branch from a local bare repository
// (--repo URL=PATH maps the URL the app was created with) and fails when there is no Dockerfile.
// tests/standins/coolify/README.md describes how tests drive it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <rapidjson/document.h>

#include "common/coolify/coolify.h"
#include "common/json.h"

namespace standin {

using Clock = std::chrono::steady_clock;

struct Env {
    std::string uuid, key, value;
    bool is_literal = false, is_runtime = true, is_buildtime = true, is_preview = false,
         is_shown_once = false;
};

struct App {
    std::string uuid;
    df::json::Object fields;  // every stored attribute except the ones below
    std::string status = "exited";
    std::vector<Env> envs;
    std::vector<std::string> tags;
    bool fail_builds = false;              // fault: every build fails
    int fail_next_builds = 0;              // fault: the next N builds fail (no reset, so no race)
    bool unhealthy = false;                // fault: the new container never gets healthy
    std::vector<std::string> runtime_log;  // container log lines (control: append_log); empty → a default
    std::string running_commit;
    std::string created_at, updated_at;
    std::optional<Clock::time_point> healthy_at;  // status lag after a deploy
    std::string str(const char* key) const;
};

struct Deployment {
    std::string uuid, app_uuid, app_name, status = "queued", commit = "HEAD", commit_message;
    bool rollback = false, force_rebuild = false, is_api = true;
    std::string created_at, updated_at, finished_at;
    std::vector<df::coolify::LogEntry> logs;
    int next_order = 1;
    Clock::time_point queued_at = Clock::now();
};

// A fault rule: requests whose path starts with `path_prefix` (and method matches, when given) get it,
// `count` times (−1: until cleared).
struct Fault {
    std::string path_prefix = "/api/";
    std::string method;
    int count = 1;
    int status = 0;           // answer with this status ...
    int retry_after = -1;     // ... and this Retry-After header
    std::string body;         // ... and this body (default: Coolify's message for the status)
    bool drop = false;        // close the connection mid-answer instead
    bool drop_after = false;  // handle the request, then close the connection before any answer byte
    bool after = false;       // handle the request, then answer `status` instead (a 504 from a proxy)
    int latency_ms = 0;       // delay before handling
    bool hold = false;        // wait before handling until POST /_standin/release (at most 60 s)
};

struct Options {
    std::string token = "standin-token";
    std::string version = "4.3.11";
    std::string server_uuid = "srv0standin0000000000001";
    std::string project_uuid = "prj0standin0000000000001";
    std::map<std::string, std::string> repos;  // git URL → local path
    double build_seconds = 0.2;
    double status_lag_seconds = 0;
    double queue_delay_seconds = 0;  // a queued deployment waits this long before it starts (busy server)
    bool sensitive = true;           // token has read:sensitive: logs and env values visible
    bool api_disabled = false;
    int queue_limit = 25;
    std::string log_file;
};

std::string new_uuid();
std::string now_text();

// Everything the server knows, behind one mutex. A scheduler thread starts queued deployments (one
// in_progress per app) and each build runs on its own thread.
class State {
  public:
    explicit State(Options options);
    ~State();
    State(const State&) = delete;
    State& operator=(const State&) = delete;

    std::mutex& mutex() { return mutex_; }
    const Options& options() const { return options_; }
    Options& options() { return options_; }
    const df::coolify::Version& version() const { return version_; }

    // The callers below hold mutex().
    std::vector<App>& apps() { return apps_; }
    std::deque<Deployment>& deployments() { return deployments_; }
    std::vector<Fault>& faults() { return faults_; }
    App* app(const std::string& uuid);
    App* app_by_name_or_uuid(const std::string& key);
    Deployment* deployment(const std::string& uuid);
    Deployment& queue(App& app, std::string commit, bool rollback, bool force);
    int active_count() const;
    // The queued/in_progress deployment a new deploy of `app` would duplicate (the dedupe rule).
    std::optional<std::string> duplicate_of(const App& app) const;
    void log(Deployment& d, std::string output, bool hidden = false, std::string command = {},
             std::string type = "stdout");

  private:
    void schedule_loop();
    void build(const std::string& id);
    void finish(const std::string& id, bool success, const std::string& last_line);

    Options options_;
    df::coolify::Version version_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::vector<App> apps_;
    std::deque<Deployment> deployments_;
    std::vector<Fault> faults_;
    std::thread scheduler_;
    std::vector<std::thread> builders_;
};

}  // namespace standin
