// `monitor NAME`: one skill — its app's status and the settings that matter, recent deployments with
// durations, its registry history, and a probe of its health hook.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/coolify/coolify.h"
#include "common/registry.h"
#include "monitor/model.h"
#include "monitor/style.h"

namespace df::monitor {

inline constexpr int kRecentDeployments = 10;
inline constexpr std::size_t kRecentHistory = 10;

// The answer of the app's health hook (GET <domain>/hooks/health).
struct Probe {
    std::string url;
    int status = 0;     // HTTP status; 0 when there was no answer
    std::string error;  // why there was no answer
    std::int64_t millis = 0;
    bool ok() const { return status >= 200 && status < 300; }
};

struct Detail {
    std::string skill;  // as asked
    std::string app_name;
    std::optional<coolify::Application> app;  // nullopt: Coolify has no such app
    coolify::DeploymentPage deployments;      // newest first
    std::optional<SkillRecord> record;        // nullopt: the registry does not know the skill
    std::optional<Probe> probe;               // nullopt: no domain, so nothing to probe
    std::optional<LastRun> last_run;  // nullopt: the service was not asked (no domain in the registry)
    std::int64_t now = 0;             // for the age of running deployments
};

// "45s" for a finished deployment, "running 1m 10s" for an active one, "" when the times are unknown.
std::string deployment_duration(const coolify::Deployment& d, std::int64_t now);

// The app name for what the user typed: "x" → "df-x", "df-x" stays.
std::string app_name_for(std::string_view name);

std::string render_detail(const Detail& detail, const Style& style);
std::string detail_json(const Detail& detail);

}  // namespace df::monitor
