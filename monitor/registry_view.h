// `monitor --registry`: what the registry says was deployed — no network, no Coolify configuration.
#pragma once

#include <string>

#include "common/registry.h"
#include "monitor/json.h"
#include "monitor/style.h"

namespace df::monitor {

std::string render_registry(const Registry& registry, const std::string& path, const Style& style);

// {"path", "schema_version", "skills": [{"name", ...registry fields..., "history": [...]}]}
std::string registry_json(const Registry& registry, const std::string& path);

// One skill's record as a JSON object under `key` (shared with `monitor NAME --json`).
void write_skill_record(JsonOut& j, std::string_view key, const SkillRecord& record);

}  // namespace df::monitor
