// The monitor program's core: options in, exit code out. main.cpp parses flags and installs the SIGINT
// flag; tests and benchmarks drive this directly or through the binary.
#pragma once

#include <atomic>
#include <iosfwd>

#include "common/coolify/http.h"
#include "common/env.h"
#include "common/error.h"
#include "monitor/options.h"

namespace df::monitor {

// Everything monitor takes from the outside world, so tests can substitute it.
struct World {
    EnvLookup env = process_env();
    http::Clock* clock = &http::system_clock();
    std::shared_ptr<http::Transport> transport = http::curl_transport();
    const std::atomic<bool>* cancel = nullptr;  // raised by SIGINT/SIGTERM: --watch and --follow stop
    bool stdout_is_terminal = false;
};

// Runs the chosen view. Stdout gets the view (or one JSON document); stderr gets notes and the one
// `monitor: error: …` line. Returns the exit code (docs/monitor.md).
ExitCode run_monitor(const Options& options, World& world, std::ostream& out, std::ostream& err);

}  // namespace df::monitor
