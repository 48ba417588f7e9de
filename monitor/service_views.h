// The views that ask the skills' own services: `--check` (with Coolify's health unless --offline),
// `NAME --runs` and `NAME --run RUN_ID`. They need the registry and the service tokens, never Coolify.
#pragma once

#include <cstdint>
#include <iosfwd>

#include "common/env.h"
#include "common/error.h"
#include "monitor/monitor.h"
#include "monitor/options.h"

namespace df::monitor {

// Unix time now, or DF_MONITOR_NOW (Unix seconds or an ISO-8601 UTC time) when set: a fake clock for tests
// of the missed-run rule. A malformed value is a config error.
Result<std::int64_t> monitor_now(const EnvLookup& env);

ExitCode check_view(const Options& options, World& world, std::ostream& out, std::ostream& err);
ExitCode runs_view(const Options& options, World& world, std::ostream& out, std::ostream& err);
// monitor NAME --diagnose [RUN_ID] (diagnose_view.cpp)
ExitCode diagnose_view(const Options& options, World& world, std::ostream& out, std::ostream& err);

}  // namespace df::monitor
