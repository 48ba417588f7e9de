// Pieces of deploy shared by its source files (not an API for other programs).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <iosfwd>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/coolify/config.h"
#include "common/coolify/coolify.h"
#include "common/coolify/http.h"
#include "common/manifest.h"
#include "common/registry.h"
#include "deployer/deploy.h"
#include "deployer/git.h"

namespace df::deployer {

// A compiled skill folder, validated.
struct Skill {
    std::string dir;
    std::string name;  // manifest name = folder's skill name
    Manifest manifest;
};

// Validates the folder: skill.json readable, schema and name valid, not stale (unless `force`).
Result<Skill> load_skill(const std::string& dir, bool force);

// The outcome of one skill, for the summary.
struct Outcome {
    std::string name, status, commit, app_uuid, deployment_uuid, fqdn, message, rolled_back_to;
    // The registry history entry of this rollback or removal (its provenance's invocationId); empty when
    // the attempt ended before the registry had one.
    std::string record_id;
    bool changed = false;
    // A Coolify write was attempted (answered or not): what runs may have changed. An attempt that failed
    // before any is recorded in the history only; the skill's status keeps saying what runs.
    bool remote_changed = false;
    ExitCode code = ExitCode::ok;
    std::vector<std::pair<std::string, std::string>> secrets;  // only filled with --show-secrets
};

// Progress lines on stderr, one writer at a time; on a terminal also the latest build log line.
class Progress {
  public:
    Progress(std::ostream& err, bool terminal) : err_(err), terminal_(terminal) {}
    void line(const std::string& name, const std::string& text);
    void log_line(const std::string& name, const std::string& text);  // terminal only, overwritten
    bool terminal() const { return terminal_; }

  private:
    std::mutex mutex_;
    std::ostream& err_;
    bool terminal_;
    bool pending_overwrite_ = false;
};

// What every skill of one invocation shares: config, HTTP, the server's version and app list (read once).
class Session {
  public:
    Session(const DeployOptions& options, Config config, Progress& progress);

    const DeployOptions& options;
    Config config;
    Progress& progress;
    http::Client http;
    coolify::Client api;

    Result<coolify::Version> version();
    // The app named `app_name` from the list read once per invocation (`refresh` re-reads it, after a
    // create whose answer was lost); pick_app decides among duplicates.
    Result<std::optional<coolify::Application>> find_app(const std::string& app_name, bool refresh = false,
                                                         const std::string& prefer_uuid = {});
    GitSettings git() const;
    bool cancelled() const { return options.cancel && options.cancel->load(); }
    // Sleeps between polls (the interval, never below the floor); false when interrupted.
    bool pause_poll();
    std::atomic<int> active_waits{0};  // skills polling right now: they share the server's rate limit
    bool pause(std::chrono::milliseconds d);

  private:
    std::mutex mutex_;
    std::optional<coolify::Version> version_;
    std::optional<std::vector<coolify::Application>> apps_;
};

// --- Coolify steps -----------------------------------------------------------------------------------

// The application's desired settings for a skill (create body: with project/server/environment/source).
json::Object app_fields(const Skill& skill, const Config& config, const coolify::Version& version,
                        bool for_create);
// The fields of `desired` that differ from `existing` (PATCH body; empty when nothing changed).
json::Object changed_fields(const json::Object& desired, const coolify::Application& existing);

// The skill's environment: generated service secrets (stored 0600 under secrets_dir) + --env values.
Result<std::vector<coolify::EnvVar>> skill_env(const Session& s, const Skill& skill, bool dry_run);

enum class WaitEnd { finished, failed, cancelled, timed_out, interrupted };
struct WaitResult {
    WaitEnd end = WaitEnd::failed;
    coolify::Deployment deployment;
};
using Deadline = std::chrono::steady_clock::time_point;

// POST /deploy, handling the "already queued for this commit" trap; returns the deployment to follow.
// `none_started` (optional) is set when the answer was lost and the app's deployments show that the
// request started nothing: the attempt changed nothing remote.
Result<std::string> trigger_deploy(Session& s, const std::string& name, const std::string& app_uuid,
                                   const std::string& commit, Deadline deadline,
                                   bool* none_started = nullptr);
// Polls to a terminal status (≥ 1 s apart, Retry-After honoured by the HTTP client).
Result<WaitResult> wait_deployment(Session& s, const std::string& name, const std::string& app_uuid,
                                   std::string deployment_uuid, Deadline deadline);
// Waits until the app reports running:healthy; false when it did not in time.
Result<bool> wait_healthy(Session& s, const std::string& name, const std::string& app_uuid,
                          Deadline deadline);
// Redeploys `commit` (rollback endpoint on v4.3+, else pin git_commit_sha and deploy); returns the wait.
Result<WaitResult> redeploy_commit(Session& s, const std::string& name, const std::string& app_uuid,
                                   const std::string& commit, Deadline deadline);
// The last `lines` visible build log lines of a deployment ("" when the token cannot see logs).
std::string log_tail(const coolify::Deployment& d, std::size_t lines);

// --- Checks and reconciliation (reconcile.cpp) ---------------------------------------------------------

// --env KEY=VALUE pairs: shell variable names, each once, and values the skill's service accepts
// (DF_TRIGGER_TOKEN and friends: 16+ printable ASCII characters, no spaces or quotes). Usage error (64).
Status validate_env(const std::vector<std::pair<std::string, std::string>>& env);
// True when a failed write may still have taken effect on the server (lost answer, 5xx, unreadable 2xx).
bool outcome_unknown(const Error& e);
// The app named `app_name`: the one with `prefer_uuid` (the registry's) if listed, else the oldest.
std::optional<coolify::Application> pick_app(const std::vector<coolify::Application>& apps,
                                             const std::string& app_name, const std::string& prefer_uuid);
// After a lost answer to POST /deploy: the deployment it started, from the app's newest-first list: an
// active one, else the newest of `commit` that no earlier attempt recorded (`known`); nullopt = none.
std::optional<coolify::Deployment> adoptable_deployment(const std::vector<coolify::Deployment>& newest_first,
                                                        const std::string& commit,
                                                        const std::set<std::string>& known);

// A failed deploy is rolled back when --auto-rollback or the workflow's guardrail asks for it.
bool rolls_back(const DeployOptions& options, const Skill& skill);
// The commit `deploy --rollback NAME [--to COMMIT]` goes back to: with --to, the newest recorded commit
// starting with it (a full 40-character commit also when unrecorded; else a usage error); without, the last
// good deploy other than the current commit (else a failure: nothing to go back to).
Result<std::string> rollback_target(const SkillRecord& skill, const std::string& name,
                                    const std::string& to_commit);

// --- Registry ----------------------------------------------------------------------------------------

// Updates the entry `id` of skill `name` (created when missing) under the registry lock. The skill's
// top-level status follows the entry's unless `sets_status` is false (an attempt that changed nothing
// remote); a skill without any status yet always gets one.
Status record(const std::string& registry, const std::string& name, const std::string& id,
              const std::function<void(SkillRecord&, DeployRecord&)>& change, bool sets_status = true);
std::string new_record_id();

// --- Attempts (attempts.cpp) -------------------------------------------------------------------------

// Records the end of an attempt (status, message, and on the skill what it now runs) and fills the outcome;
// registry trouble is added to the message.
Outcome& conclude(Session& s, Outcome& o, const std::string& id, const std::string& status, ExitCode code,
                  const std::string& message, const std::string& running_commit = {});
// conclude for an error: interrupted, timed_out or failed, by its exit code.
Outcome& conclude_error(Session& s, Outcome& o, const std::string& id, const Error& e);
// --timeout, else the skill's run timeout, else 10 minutes.
std::chrono::seconds deploy_timeout(const Session& s, const Skill* skill);
// After a write whose answer was lost (or a 5xx, or an unreadable 2xx), the server may have acted: read back
// what it has (`applied`) before deciding, and never send the write again. Applied: the write succeeded.
// Not applied, or nothing readable: the original error stands.
Status reconcile_write(Session& s, const std::string& name, const Error& e, std::string_view what,
                       const std::function<Result<bool>()>& applied);

// --- Flows -------------------------------------------------------------------------------------------

// Deploys one skill whose folder `publish_all` already pushed (`pub`).
Outcome deploy_skill(Session& s, const Skill& skill, const std::string& record_id,
                     const Result<Published>& pub);
Outcome rollback_skill(Session& s, const std::string& name, const std::string& to_commit);
Outcome remove_skill(Session& s, const std::string& name, bool delete_branch);
void print_dry_run(const Session& s, const std::vector<Skill>& skills, std::ostream& out);

}  // namespace df::deployer
