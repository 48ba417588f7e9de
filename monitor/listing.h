// The default view: every df-* app joined with the registry, as a table or a JSON document.
#pragma once

#include <string>
#include <vector>

#include "common/coolify/coolify.h"
#include "common/registry.h"
#include "monitor/model.h"
#include "monitor/style.h"

namespace df::monitor {

// Joins Coolify's applications (all of them; non-df-* ones are ignored) with the registry: one row per
// df-* app, plus one per registered skill Coolify no longer has. Sorted by skill name.
Listing build_listing(const std::vector<coolify::Application>& apps, const Registry& registry);

// The registry's latest deployment of a skill, as the listing shows it.
LastDeployment last_deployment(const SkillRecord& record);

// Adds each app's newest Coolify deployment (monitor --deployments), keyed by app uuid.
void attach_latest(Listing& listing, const std::vector<std::pair<std::string, coolify::Deployment>>& latest);

// Aligned table, then one summary line ("3 apps: 2 healthy, 1 not healthy; 1 missing in Coolify").
std::string render_listing(const Listing& listing, const Style& style);

// {"apps": [...], "summary": {...}, "warnings": [...]} — docs/monitor.md.
std::string listing_json(const Listing& listing, bool pretty = true);

}  // namespace df::monitor
