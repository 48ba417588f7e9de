// The service half of a skill folder: the webhook config and its hook scripts, the cron schedule, the
// Dockerfile and the entrypoint (docs/service.md). Pure, like generator.h: manifest in, files out.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "common/manifest.h"
#include "compiler/diagnostics.h"
#include "compiler/generator.h"

namespace df::compiler {

// The Debian 12 package that provides the program `bin`: "" when debian:12-slim already has it,
// nullopt when compile does not know.
std::optional<std::string_view> debian_package(std::string_view bin);

// The service files, in a fixed order. Requires bins without a known package are reported as warnings;
// service paths in the manifest that webhook cannot serve are errors.
// With Generate::diagnostics, only the diagnostics: no file is rendered or returned.
std::vector<GeneratedFile> generate_service(const Manifest& manifest, Diagnostics& diags,
                                            Generate what = Generate::files);

}  // namespace df::compiler
