// The deployment registry: one JSON file that deploy writes and monitor (and rollback) read.
// docs/registry.md documents the format. Two promises:
//   - it is never lost or corrupted: writers take an exclusive flock on "<file>.lock", re-read the file,
//     change it, write a temp file, fsync, rename and fsync the directory; readers need no lock because the
//     rename is atomic;
//   - a corrupt or unknown-version file is reported (ExitCode::data_error) and left exactly as it is.
// Secrets are never stored in it.
#pragma once

#include <chrono>
#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "common/error.h"

namespace df {

inline constexpr int kRegistrySchemaVersion = 1;
inline constexpr std::size_t kRegistryHistoryLimit = 100;  // per skill; the oldest entries are dropped

// One deploy, rollback or removal of a skill.
struct DeployRecord {
    std::string id;               // unique per attempt, so concurrent writers update their own entry
    std::string kind = "deploy";  // deploy | rollback | remove
    std::string commit;           // the pushed commit (40 hex) this attempt deploys
    std::string deployment_uuid;  // Coolify's, once known
    // pending | deploying | finished | failed | rolled_back | rollback_failed | timed_out | interrupted
    // | cancelled | removed
    std::string status;
    std::string started_at, finished_at;  // UTC, 2026-08-22T10:00:00Z
    std::string source_sha256, compiler_version, skill_version;
    std::string message;  // one line: what went wrong, or what was done
    // What monitor needs to know of the deployed version without its skill.json (written only when set):
    // the cron schedules (five fields each, UTC) and the run timeout.
    std::vector<std::string> schedules;
    std::optional<int> run_timeout_seconds;
};

struct SkillRecord {
    std::string app_uuid, app_name, fqdn;
    std::string branch;  // the git branch the skill is pushed to (df/<name>)
    std::string commit;  // the commit the app runs: the last finished deploy or rollback
    std::string status;  // the latest attempt's status (same words as DeployRecord::status)
    std::string updated_at;
    std::vector<DeployRecord> history;  // oldest first

    DeployRecord* find(std::string_view id);
    // The newest finished deploy/rollback whose commit differs from `except` (what a rollback goes back to).
    const DeployRecord* last_good(std::string_view except = {}) const;
    // The newest deploy entry of the running commit (what runs now, with its schedules); nullptr if none.
    const DeployRecord* running_deploy() const;
};

struct Registry {
    int schema_version = kRegistrySchemaVersion;
    std::map<std::string, SkillRecord> skills;  // by skill name
};

// Pretty, deterministic JSON with a trailing newline.
std::string write_registry(const Registry& registry);
// Parses and validates; `origin` names the file in messages. Malformed or a newer schema → data_error.
Result<Registry> parse_registry(std::string_view json, std::string_view origin);

// Read-only load (monitor): an absent file is an empty registry; never writes, never locks.
Result<Registry> load_registry(const std::string& path);

// Locked read-modify-write (deploy). `change` sees the current registry and may return an error to abandon
// the transaction (nothing is written). A corrupt file is reported and left untouched; a lock held longer
// than `lock_wait` → temp_fail; a directory we cannot write → cant_create/io_error. Creates the parent
// directory (0700) when missing.
Status update_registry(const std::string& path, const std::function<Status(Registry&)>& change,
                       std::chrono::milliseconds lock_wait = std::chrono::seconds(30));

// --registry, else DF_REGISTRY, else ${XDG_STATE_HOME:-$HOME/.local/state}/dark-factory/registry.json.
// No HOME and no XDG_STATE_HOME → config error.
Result<std::string> resolve_registry_path(const std::optional<std::string>& flag, const EnvLookup& env);

// UTC time as 2026-08-22T10:00:00Z.
std::string utc_timestamp(std::time_t t = std::time(nullptr));

}  // namespace df
