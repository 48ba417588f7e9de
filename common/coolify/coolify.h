// A typed client for the Coolify API v1 (Bearer token, JSON), shaped by how the real server behaves
// (/work/shared/reference/coolify.md) rather than by its drifting OpenAPI spec: plain-text /version, bare
// arrays and {count, deployments} wrappers, 422 errors with list or string values, the deploy "skip" answer
// that carries a deployment uuid which was never stored, and build logs as a JSON string inside JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/coolify/http.h"
#include "common/error.h"
#include "common/json.h"

namespace df::coolify {

// A Coolify version such as 4.3.11, 4.0.0-beta.300 or 4.4-rc.1, and what it can do (coolify.md §3).
struct Version {
    std::string text;
    int major = 0, minor = 0, patch = 0;
    int stage = 3;  // 0 alpha, 1 beta, 2 rc, 3 release
    int stage_number = 0;

    static std::optional<Version> parse(std::string_view text);
    static Version of(int major, int minor, int patch, int stage = 3, int stage_number = 0);
    bool at_least(const Version& other) const;

    bool has_rollback_endpoint() const { return at_least(of(4, 3, 0)); }
    bool accepts_tags() const { return at_least(of(4, 2, 0)); }
    bool requires_ports_exposes() const { return !at_least(of(4, 1, 2)); }
    bool has_app_logs() const { return at_least(of(4, 0, 0, 1, 400)); }
    bool has_deployments_by_app() const { return at_least(of(4, 0, 0, 1, 420)); }
};

// "<state>:<health>" split; a value without ':' reads as "<value>:unhealthy", as the server's accessor does.
struct AppState {
    std::string state;   // running, exited, restarting, starting, degraded, paused, ...
    std::string health;  // healthy, unhealthy, unknown
    static AppState parse(std::string_view status);
    bool up() const { return state == "running"; }
    bool healthy() const { return state == "running" && health == "healthy"; }
};

struct Application {
    std::string uuid, name, description, fqdn, status;
    std::string git_repository, git_branch, git_commit_sha, build_pack;
    std::string ports_exposes, base_directory, dockerfile_location;
    std::string health_check_path, limits_memory;
    std::optional<bool> health_check_enabled;
    std::optional<bool> is_auto_deploy_enabled;  // only in GET /applications/{uuid} (settings)
    std::string created_at, updated_at, last_online_at;
};

struct LogEntry {
    std::string command, output, type, timestamp;
    bool hidden = false;
    std::int64_t batch = 0, order = 0;
};

struct Deployment {
    std::string deployment_uuid, application_name, status, commit, commit_message;
    std::string created_at, updated_at, finished_at;
    bool rollback = false;
    std::optional<std::string> logs;  // absent without a read:sensitive token

    bool terminal() const {
        return status == "finished" || status == "failed" || status == "cancelled-by-user";
    }
    bool active() const { return status == "queued" || status == "in_progress"; }
};

struct DeploymentPage {
    std::int64_t count = 0;
    std::vector<Deployment> deployments;  // newest first
};

// The answer to POST /deploy or /applications/{uuid}/rollback for one application.
struct DeployAck {
    std::string message;
    std::string deployment_uuid;  // on a skip this uuid was never stored: do not poll it
    bool already_queued = false;  // "Deployment already queued for this commit."
};

struct EnvVar {
    std::string uuid;  // set when read back
    std::string key, value;
    bool is_literal = true;  // no $VAR expansion by Coolify: values are data
    bool is_runtime = true;
    bool is_buildtime = false;
};

enum class Source { public_repo, deploy_key, github_app };
std::string_view create_path(Source source);  // "/applications/public", ...

// Decodes a deployment's `logs` string: entries sorted by (batch, order). Malformed → protocol error.
Result<std::vector<LogEntry>> parse_build_log(std::string_view logs);

// The error for an unexpected answer: Coolify's `message` and validation `errors` in one line, the exit
// code from the status (401/403 → 77, 429/5xx → 69), with advice for the well-known 401/403 causes.
Error api_error(const http::Response& response, std::string_view what);

class Client {
  public:
    // `base_url` is the instance's address without /api/v1 (as the Coolify CLI stores it).
    Client(http::Client& http, std::string base_url, std::string token);

    Result<Version> version();
    Result<std::vector<Application>> list_applications(std::string_view tag = {});
    Result<std::optional<Application>> get_application(const std::string& uuid);  // nullopt on 404
    // The new app's uuid and fqdn (Coolify answers {uuid, domains}: the domain it generated, if any).
    Result<Application> create_application(Source source, const json::Object& body);
    Status update_application(const std::string& uuid, const json::Object& body);
    Status delete_application(const std::string& uuid);  // queued by the server
    Result<std::vector<EnvVar>> list_envs(const std::string& app_uuid);
    Status set_envs(const std::string& app_uuid, const std::vector<EnvVar>& vars);  // bulk upsert
    Status delete_env(const std::string& app_uuid, const std::string& env_uuid);
    Result<DeployAck> deploy(const std::string& app_uuid, bool force);
    Result<DeployAck> rollback(const std::string& app_uuid, const std::string& commit);    // v4.3.0+
    Result<std::optional<Deployment>> get_deployment(const std::string& deployment_uuid);  // nullopt on 404
    Result<DeploymentPage> list_deployments(const std::string& app_uuid, int skip, int take);
    Status cancel_deployment(const std::string& deployment_uuid);
    // Runtime log text; the server answers 400 "Application is not running." for a stopped app (→ failed).
    Result<std::string> application_logs(const std::string& app_uuid, int lines);

    // The full URL of an API path ("/applications" → "<base>/api/v1/applications"), for dry runs.
    std::string url(std::string_view path) const;

  private:
    Result<http::Response> call(std::string_view method, std::string_view path, const std::string& body,
                                std::string_view what);
    Result<rapidjson::Document> call_json(std::string_view method, std::string_view path,
                                          const std::string& body, std::string_view what,
                                          int expect_min = 200, int expect_max = 299);

    http::Client& http_;
    std::string base_url_;
    std::string token_;
};

Application parse_application(const rapidjson::Value& v);
Deployment parse_deployment(const rapidjson::Value& v);

}  // namespace df::coolify
