// deploy's flags → DeployOptions. Every option is registered in make_spec, grouped by what it is about;
// read_values turns the parsed flags into the struct and refuses the combinations that make no sense.
#include "deployer/cli.h"

#include <cstdlib>
#include <unistd.h>

#include <cxxopts.hpp>
#include <fmt/format.h>

namespace df::deployer {

namespace {

// The flags that are configuration settings (docs/config.md): "--git-remote X" is the setting
// "git_remote". --token-file is not one of them: its file is read by run_deploy.
constexpr const char* kSettingFlags[] = {
    "coolify-url",      "context",         "git-remote",  "git-url",       "git-source",
    "private-key-uuid", "github-app-uuid", "server-uuid", "project-uuid",  "environment",
    "destination-uuid", "domain",          "registry",    "branch-prefix", "ca-file",
    "secrets-dir",      "config"};

// The one place where deploy's options are registered. The order is the order of --help.
cxxopts::Options make_spec() {
    cxxopts::Options spec(
        program_name(), "Deploy compiled skills to Coolify: git branch, app, deployment, health, registry.");
    spec.custom_help("[options]").positional_help("SKILL_DIR...");
    // clang-format off
    // What to do, and how.
    spec.add_options()
        ("dry-run", "Print every git and API action, change nothing, make no network call")
        ("env", "Set an environment variable on the app (repeatable)", cxxopts::value<std::vector<std::string>>(), "KEY=VALUE")
        ("no-wait", "Start the deployment and return without waiting for it")
        ("timeout", "Deployment timeout (90s, 10m, 1h; default: the workflow's, else 10m)", cxxopts::value<std::string>(), "DUR")
        ("json", "Print the results as JSON")
        ("force", "Deploy a stale skill; redeploy even when nothing changed")
        ("auto-rollback", "Roll back to the last good commit when the deployment fails")
        ("show-secrets", "Print the generated service secrets (DF_TRIGGER_TOKEN, DF_APPROVE_TOKEN)")
        ("rollback", "Roll the named skill back (to the previous good deploy, or --to)", cxxopts::value<std::string>(), "NAME")
        ("to", "With --rollback: the commit (or a prefix of one) to go back to", cxxopts::value<std::string>(), "COMMIT")
        ("remove", "Delete the named skill's app (the branch stays unless --delete-branch)", cxxopts::value<std::string>(), "NAME")
        ("delete-branch", "With --remove: delete the skill's git branch too")
        ("print-config", "Show the resolved configuration (token masked) and exit");
    // Where Coolify and git are (settings, docs/config.md).
    spec.add_options()
        ("coolify-url", "Coolify URL (COOLIFY_URL)", cxxopts::value<std::string>(), "URL")
        ("token-file", "Read the Coolify API token from FILE (else COOLIFY_TOKEN)", cxxopts::value<std::string>(), "FILE")
        ("context", "Coolify CLI context to take URL and token from (COOLIFY_CONTEXT)", cxxopts::value<std::string>(), "NAME")
        ("git-remote", "Git remote skills are pushed to (DF_GIT_REMOTE)", cxxopts::value<std::string>(), "REMOTE")
        ("git-url", "URL Coolify clones, when it differs from the remote (DF_GIT_URL)", cxxopts::value<std::string>(), "URL")
        ("git-source", "public, deploy-key or github-app (DF_GIT_SOURCE)", cxxopts::value<std::string>(), "KIND")
        ("private-key-uuid", "Coolify private key for deploy-key sources", cxxopts::value<std::string>(), "UUID")
        ("github-app-uuid", "Coolify GitHub App for github-app sources", cxxopts::value<std::string>(), "UUID")
        ("server-uuid", "Coolify server (DF_SERVER_UUID)", cxxopts::value<std::string>(), "UUID")
        ("project-uuid", "Coolify project (DF_PROJECT_UUID)", cxxopts::value<std::string>(), "UUID")
        ("environment", "Coolify environment (DF_ENVIRONMENT, default production)", cxxopts::value<std::string>(), "NAME")
        ("destination-uuid", "Coolify destination, for servers with several", cxxopts::value<std::string>(), "UUID")
        ("domain", "Apps get https://df-<name>.<domain> (DF_DOMAIN)", cxxopts::value<std::string>(), "DOMAIN")
        ("registry", "Registry file (DF_REGISTRY)", cxxopts::value<std::string>(), "FILE")
        ("branch-prefix", "Branch name prefix (default df/)", cxxopts::value<std::string>(), "PREFIX")
        ("ca-file", "PEM bundle to trust for Coolify's TLS certificate", cxxopts::value<std::string>(), "FILE")
        ("insecure-http", "Allow sending the token over plain http:// to a host that is not loopback")
        ("secrets-dir", "Where generated service secrets are kept (0600 files)", cxxopts::value<std::string>(), "DIR")
        ("config", "Config file (DF_CONFIG; default ~/.config/dark-factory/config.json)", cxxopts::value<std::string>(), "FILE")
        ("poll-interval", "Time between status polls (default 2s; at least 1s, or 100ms for a loopback server)", cxxopts::value<std::string>(), "DUR");
    // Evidence (docs/evidence.md).
    spec.add_options("Evidence")
        ("evidence", "Print NAME's newest provenance (in-toto Statement in a DSSE envelope)", cxxopts::value<std::string>(), "NAME");
    // About the program itself, and the positional arguments.
    spec.add_options()
        ("h,help", "Show this help")
        ("version", "Show the version")
        ("dirs", "Skill folders", cxxopts::value<std::vector<std::string>>());
    // clang-format on
    spec.parse_positional({"dirs"});
    return spec;
}

Error usage(const std::string& message) {
    return Error{ExitCode::usage, fmt::format("{} (see {} --help)", message, program_name())};
}

// --rollback, --remove, --print-config or (none of them) a deploy, and the flags only one mode takes.
std::optional<Error> read_mode(const cxxopts::ParseResult& args, DeployOptions& o) {
    const auto modes =
        args.count("rollback") + args.count("remove") + args.count("print-config") + args.count("evidence");
    if (modes > 1) return usage("--rollback, --remove, --print-config and --evidence exclude each other");
    if (args.count("rollback")) {
        o.mode = Mode::rollback;
        o.name = args["rollback"].as<std::string>();
    }
    if (args.count("remove")) {
        o.mode = Mode::remove;
        o.name = args["remove"].as<std::string>();
    }
    if (args.count("print-config")) o.mode = Mode::print_config;
    if (args.count("evidence")) {
        o.mode = Mode::evidence;
        o.name = args["evidence"].as<std::string>();
    }
    if (args.count("dirs")) o.skill_dirs = args["dirs"].as<std::vector<std::string>>();
    if (o.mode != Mode::deploy && !o.skill_dirs.empty())
        return usage("skill folders are only taken when deploying");
    if (args.count("to")) {
        if (o.mode != Mode::rollback) return usage("--to needs --rollback");
        o.to_commit = args["to"].as<std::string>();
    }
    o.delete_branch = args.count("delete-branch") > 0;
    if (o.delete_branch && o.mode != Mode::remove) return usage("--delete-branch needs --remove");
    return std::nullopt;
}

// The flags with a value to check: --env, --timeout, --poll-interval.
std::optional<Error> read_values(const cxxopts::ParseResult& args, DeployOptions& o) {
    if (args.count("env")) {
        for (const auto& kv : args["env"].as<std::vector<std::string>>()) {
            const auto eq = kv.find('=');
            if (eq == std::string::npos || eq == 0) return usage("--env takes KEY=VALUE");
            o.env.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
        }
    }
    if (args.count("timeout")) {
        o.timeout = parse_duration(args["timeout"].as<std::string>());
        if (!o.timeout) return usage("--timeout takes a duration such as 90s, 10m or 1h");
    }
    if (args.count("poll-interval")) {
        const auto d = parse_duration_ms(args["poll-interval"].as<std::string>());
        if (!d) return usage("--poll-interval takes a duration such as 2s or 500ms");
        o.poll_interval = *d;
    }
    return std::nullopt;
}

void read_switches_and_settings(const cxxopts::ParseResult& args, DeployOptions& o) {
    o.dry_run = args.count("dry-run") > 0;
    o.wait = args.count("no-wait") == 0;
    o.json = args.count("json") > 0;
    o.force = args.count("force") > 0;
    o.auto_rollback = args.count("auto-rollback") > 0;
    o.show_secrets = args.count("show-secrets") > 0;
    o.config_flags.insecure_http = args.count("insecure-http") > 0;
    for (const char* flag : kSettingFlags) {
        if (!args.count(flag)) continue;
        std::string setting = flag;
        for (auto& ch : setting) ch = ch == '-' ? '_' : ch;
        o.config_flags.values[setting] = args[flag].as<std::string>();
    }
    if (args.count("token-file")) o.token_file = args["token-file"].as<std::string>();
}

}  // namespace

std::string usage_text() {
    return make_spec().help() +
           "\n  deploy SKILL_DIR...            deploy (concurrently), then print a summary\n"
           "  deploy --rollback NAME [--to COMMIT]\n"
           "  deploy --remove NAME [--delete-branch]\n"
           "  deploy --evidence NAME         print NAME's newest provenance (DF_EVIDENCE_KEY signs it)\n"
           "Exit status: 0 deployed, 1 failed (and rolled back when asked), 2 failed and the rollback "
           "failed too, 5 timed out, 64 usage, 65 bad skill or registry, 69 remote unavailable, 77 "
           "auth refused, 78 config error, 130 interrupted (143 on SIGTERM) (docs/exit-codes.md, "
           "docs/deploy.md).\n";
}

Result<DeployOptions> parse_options(int argc, const char* const* argv) {
    DeployOptions o;
    try {
        auto spec = make_spec();
        const auto args = spec.parse(argc, argv);
        o.help = args.count("help") > 0;
        o.version = args.count("version") > 0;
        if (o.help || o.version) return o;
        if (auto e = read_mode(args, o)) return *e;
        if (auto e = read_values(args, o)) return *e;
        read_switches_and_settings(args, o);
    } catch (const cxxopts::exceptions::exception& e) {
        return usage(e.what());
    }
    return o;
}

void read_environment(DeployOptions& o) {
    if (const char* key = std::getenv("DF_EVIDENCE_KEY")) o.evidence_key = key;
    // Who runs this deploy, for its provenance: $USER (or $LOGNAME, else the uid) at the host name.
    const char* user = std::getenv("USER");
    if (!user || !*user) user = std::getenv("LOGNAME");
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    o.actor = fmt::format("{}@{}", user && *user ? std::string(user) : "uid " + std::to_string(::getuid()),
                          host[0] ? host : "localhost");
}

}  // namespace df::deployer
