// skill.json: the manifest every tool reads. One definition of the format, writer and reader side by side,
// so a manifest written by `compile` always reads back into the same Workflow (tests/unit/manifest_test.cpp).
// docs/manifest.md documents the fields.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"
#include "common/workflow.h"

namespace df {

inline constexpr int kManifestSchemaVersion = 1;
inline constexpr std::string_view kCompilerName = "dark-factory-compile";
inline constexpr std::string_view kManifestFile = "skill.json";

// How the generated service answers; the same for every skill, recorded so deploy and monitor need not guess.
struct ServiceInfo {
    bool operator==(const ServiceInfo&) const = default;
    int port = 9000;
    std::string run_hook = "/hooks/run";
    std::string status_hook = "/hooks/status";
    std::string approve_hook = "/hooks/approve";
    std::string health_hook = "/hooks/health";
    std::string runs_hook = "/hooks/runs";
    std::string metrics_hook = "/hooks/metrics";
};

struct Manifest {
    bool operator==(const Manifest&) const = default;
    int schema_version = kManifestSchemaVersion;
    std::string version;  // changes whenever the workflow source changes
    std::string compiler_name{kCompilerName};
    std::string compiler_version;
    std::string source_path;  // relative to the skill folder
    std::string source_sha256;
    ServiceInfo service;
    Workflow workflow;
};

// Pretty-printed, deterministic JSON with a trailing newline.
std::string write_manifest(const Manifest& manifest);

// Parses and validates a manifest. `origin` names it in messages. Malformed → ExitCode::data_error.
Result<Manifest> read_manifest(std::string_view json, std::string_view origin);

// Reads `<skill_dir>/skill.json`. A folder without one → ExitCode::no_input ("not a compiled skill").
Result<Manifest> load_manifest(const std::string& skill_dir);

}  // namespace df
