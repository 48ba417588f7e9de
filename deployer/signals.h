// SIGINT and SIGTERM become deploy's cancel flag, so every flow stops cleanly and records "interrupted";
// a second signal ends the program at once.
#pragma once

#include <atomic>

#include "common/error.h"

namespace df::deployer {

// Installs the handlers (once per process) and returns the flag they raise, for DeployOptions::cancel.
const std::atomic<bool>* cancel_on_signals();

// The process exit status for `code`: 128 + the signal when a signal interrupted the run (SIGINT 130,
// SIGTERM 143, as shells and supervisors expect; docs/exit-codes.md), else the code itself.
int exit_status(ExitCode code);

}  // namespace df::deployer
