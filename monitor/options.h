// monitor's command line, parsed into one struct. Parsing lives in the library so tests reach it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/error.h"

namespace df::monitor {

enum class View {
    listing,     // monitor
    detail,      // monitor NAME
    logs,        // monitor NAME --logs
    deployment,  // monitor NAME --deployment [UUID]
    registry,    // monitor --offline (or a bare --registry)
    check,       // monitor --check
    runs,        // monitor NAME --runs
    run,         // monitor NAME --run RUN_ID
    diagnose,    // monitor NAME --diagnose [RUN_ID]
    evidence,    // monitor --verify-evidence [--key PUB.pem] (monitor/evidence_view.h)
};

inline constexpr int kDefaultLogLines = 100;
inline constexpr int kMaxLogLines = 10000;  // Coolify's cap (reference/coolify.md §2.10)

struct Options {
    View view = View::listing;
    std::string name;             // skill name ("x") or app name ("df-x")
    std::string deployment_uuid;  // --deployment UUID; empty = the latest
    int lines = kDefaultLogLines;
    bool follow = false;
    bool timestamps = false;  // keep Docker's timestamps on log lines
    bool json = false;
    bool deployments = false;  // listing: add each app's newest Coolify deployment (one request per app)
    std::optional<int> watch;  // --watch [SECONDS]
    int follow_seconds = 2;    // --interval for --follow
    // Where Coolify and the registry are; empty = from the environment / config files.
    std::string coolify_url;
    std::string context;  // a context of the Coolify CLI's config.json
    std::string config_file;
    std::string registry_path;
    std::string token_file;      // a file holding the Coolify token (else COOLIFY_TOKEN, config files)
    std::string ca_file;         // PEM bundle to trust for Coolify's TLS
    bool insecure_http = false;  // --insecure-http
    std::string color = "auto";  // auto, always, never
    bool help = false;
    bool version = false;
    // Runs and alerts: what the skills' services say about their runs (docs/monitor.md, "Runs").
    std::string run_id;                        // --run RUN_ID
    std::string runs_status;                   // --status S[,S…] for --runs
    std::string runs_since;                    // --since TIME for --runs
    std::string runs_before;                   // --before RUN_ID for --runs (the next page)
    int runs_limit = 20;                       // --limit N for --runs
    bool offline = false;                      // --check --offline: the registry and the services, no Coolify
    int grace_minutes = 10;                    // --grace: a due cron run may start this late
    int approval_wait_minutes = 60;            // --approval-wait: an approval may wait this long
    std::vector<std::string> notify_urls;      // --notify URL (repeatable)
    std::string skill_dir;                     // --skill-dir DIR for --diagnose: the compiled skill folder
    std::vector<std::string> notify_commands;  // --notify-cmd CMD (repeatable)
    std::string evidence_key;                  // --key: the public key provenance entries must be signed with
};

// Parses argv. Usage errors → ExitCode::usage with a message that names the flag.
Result<Options> parse_options(int argc, const char* const* argv);

std::string usage_text();

}  // namespace df::monitor
