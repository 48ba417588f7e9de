// A configured connection to Coolify plus the registry's location: what every networked view starts from.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/coolify/config.h"
#include "common/coolify/coolify.h"
#include "common/coolify/http.h"
#include "common/registry.h"
#include "monitor/detail.h"
#include "monitor/logs_view.h"
#include "monitor/model.h"
#include "monitor/monitor.h"

namespace df::monitor {

// The config settings monitor reads from its flags; --token-file is read here (trimmed), so a bad path is a
// config error that names it.
Result<ConfigFlags> config_flags_from(const Options& options);

// The registry file for `--registry`: from the full configuration when it resolves, else from the flag
// and DF_REGISTRY alone, so the registry view works with no (or a broken) Coolify configuration.
Result<std::string> registry_path_for(const Options& options, const EnvLookup& env);

// The registry, or an Error (corrupt: data_error) that the listing reports without failing outright.
struct RegistryRead {
    std::string path;
    Registry registry;
    std::optional<Error> error;
};
RegistryRead read_registry(const std::string& path);

class Session {
  public:
    // Resolves the configuration; COOLIFY_URL and COOLIFY_TOKEN missing → config error saying what to set.
    static Result<std::unique_ptr<Session>> open(const Options& options, World& world);

    // One request: GET /applications.
    Result<Listing> listing(std::optional<Error>& registry_error);
    // The newest deployment of each app, one request per app, paced and at most kConcurrency at once.
    Status attach_latest_deployments(Listing& listing);
    // The newest run of each registered skill with a domain: one request per skill to its own service.
    void attach_last_runs(Listing& listing);

    Result<Detail> detail(const std::string& name);
    Result<RuntimeLogs> runtime_logs(const std::string& name, int lines);
    Result<BuildLog> build_log(const std::string& name, const std::string& deployment_uuid);
    // Polls the runtime log of `name` every `seconds`, printing only new lines, until cancelled.
    ExitCode follow(const Options& options, std::ostream& out, std::ostream& err);

    coolify::Client& api() { return *api_; }
    const std::string& registry_path() const { return registry_path_; }
    const std::atomic<bool>* cancel() const { return world_.cancel; }

  private:
    Session(World& world, Config config);
    Result<coolify::Application> find_app(const std::string& app_name);
    Result<std::optional<coolify::Application>> find_app_optional(const std::string& app_name);
    Probe probe(const std::string& domain);
    std::map<std::string, LastRun> last_runs_of(const Registry& registry);
    Result<BuildLog> load_build_log(const std::string& app_name, const std::string& deployment_uuid);

    World& world_;
    Config config_;
    std::string registry_path_;
    http::Client http_;
    std::unique_ptr<coolify::Client> api_;
};

}  // namespace df::monitor
