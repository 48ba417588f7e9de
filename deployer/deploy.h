// deploy: skill folders → git branch + Coolify application, waited for, verified, rolled back on failure,
// recorded in the registry. main.cpp parses flags into DeployOptions (deployer/cli.h) and calls run_deploy;
// everything else lives in the library so tests link it. docs/deploy.md describes the behaviour.
#pragma once

#include <atomic>
#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/coolify/config.h"
#include "common/error.h"

namespace df::deployer {

enum class Mode { deploy, rollback, remove, print_config, evidence };

struct DeployOptions {
    Mode mode = Mode::deploy;
    std::vector<std::string> skill_dirs;                   // deploy
    std::string name;                                      // rollback / remove
    std::string to_commit;                                 // rollback --to
    bool delete_branch = false;                            // remove --delete-branch
    std::vector<std::pair<std::string, std::string>> env;  // --env KEY=VALUE
    bool dry_run = false;
    bool wait = true;  // --no-wait clears it
    std::optional<std::chrono::seconds> timeout;
    bool json = false;
    bool force = false;          // deploy a stale skill; redeploy an unchanged one
    bool auto_rollback = false;  // in addition to the workflow's guardrail
    bool show_secrets = false;
    int max_parallel = 32;
    std::chrono::milliseconds poll_interval{2000};  // floor: 1 s, or 100 ms for a loopback server
    ConfigFlags config_flags;
    std::string token_file;  // --token-file: read by run_deploy (trailing newline and spaces dropped)
    const std::atomic<bool>* cancel = nullptr;
    // Evidence (deployer/provenance.h): --evidence NAME sets mode and name; main fills these from the
    // environment (DF_EVIDENCE_KEY) and the user running it.
    std::string evidence_key, actor;
    bool help = false;     // --help: main prints usage_text (deployer/cli.h)
    bool version = false;  // --version
};

// "90", "90s", "10m", "1h", "1h30m" → seconds. Invalid or zero → nullopt.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);
// The same, also taking "500ms".
std::optional<std::chrono::milliseconds> parse_duration_ms(std::string_view text);

// Runs the whole command; returns the process exit code. `out` gets the result (table or JSON), `err`
// progress and errors.
ExitCode run_deploy(const DeployOptions& options, std::ostream& out, std::ostream& err);

}  // namespace df::deployer
