// What monitor shows, independent of how it is printed: the rows of the listing, built by joining
// Coolify's `df-*` applications with the registry's skills.
#pragma once

#include <string>
#include <vector>

#include "monitor/status.h"

namespace df::monitor {

inline constexpr std::string_view kAppPrefix = "df-";

// The registry's word on a skill's latest deployment.
struct LastDeployment {
    std::string at;      // ISO-8601 timestamp
    std::string commit;  // git commit deployed
    std::string result;  // as deploy recorded it ("finished", "failed", "rolled-back", ...)
};

// The skill's newest run, from its service's runs hook; empty status = not asked (no domain or token).
struct LastRun {
    std::string run_id;
    std::string status;  // the run's status, or "unknown" when the service could not be asked
    std::string at;      // when it ended (or started, while it lives)
    std::string failed_step;
    std::string error;  // the run's error, or why the service could not be asked
};

struct AppRow {
    std::string skill;   // skill name: the registry's, or the app name without "df-"
    std::string app;     // Coolify application name, "df-<skill>"
    std::string uuid;    // empty when Coolify has no such app
    std::string status;  // Coolify's "<state>:<health>", empty when missing
    Health health = Health::unknown;
    std::string domain;       // first URL of the app's fqdn, if any
    bool registered = false;  // the registry knows this skill
    bool in_coolify = false;  // Coolify has the app
    bool removed = false;     // the registry says `deploy --remove` removed it (Coolify may still list it)
    LastDeployment last;      // empty when the registry has no deployment recorded
    LastDeployment latest;    // Coolify's newest deployment (only with --deployments)
    LastRun last_run;         // from the skill's own service
};

struct Listing {
    std::vector<AppRow> apps;           // sorted by skill name
    std::vector<std::string> warnings;  // e.g. "registry ... is corrupt: ..." — shown, never fatal here
};

// The first URL of a comma-separated Coolify fqdn ("https://a.example.com,https://www.a.example.com").
std::string first_domain(std::string_view fqdn);

// True for "df-<something>".
bool is_df_app(std::string_view name);

}  // namespace df::monitor
