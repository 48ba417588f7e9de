// deploy's command line: parse_options fills DeployOptions (the flags, and --help/--version), usage_text is
// the --help page. In the library, not in main.cpp, so the unit tests reach both.
#pragma once

#include <string>

#include "common/error.h"
#include "deployer/deploy.h"

namespace df::deployer {

// Parses argv. A usage error (exit 64) names the flag and points at --help; nothing is read from disk.
Result<DeployOptions> parse_options(int argc, const char* const* argv);

// The --help text: every option, the three forms of the command and the exit statuses.
std::string usage_text();

// What deploy takes from its environment rather than its flags: DF_EVIDENCE_KEY (the provenance signing key)
// and who runs it (user@host, recorded in the provenance).
void read_environment(DeployOptions& o);

}  // namespace df::deployer
