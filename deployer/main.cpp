// deploy: compiled skill folders → running Coolify apps. Parses flags into DeployOptions and calls
// run_deploy; SIGINT raises the cancel flag so the deploy stops cleanly and records "interrupted".
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <signal.h>
#include <unistd.h>

#include <cxxopts.hpp>
#include <fmt/format.h>

#include "common/files.h"
#include "deployer/deploy.h"

namespace {

std::atomic<bool> g_cancel{false};
volatile std::sig_atomic_t g_signal = 0;  // the first signal, for the exit code (130 or 143)

void on_signal(int sig) {
    if (!g_signal) g_signal = sig;
    g_cancel = true;
    ::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the program at once
    ::signal(SIGTERM, SIG_DFL);
}

// Who runs this deploy, for its provenance: $USER (or $LOGNAME, else the uid) at the host name.
std::string who_runs() {
    const char* user = std::getenv("USER");
    if (!user || !*user) user = std::getenv("LOGNAME");
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    return fmt::format("{}@{}", user && *user ? std::string(user) : "uid " + std::to_string(::getuid()),
                       host[0] ? host : "localhost");
}

}  // namespace

int main(int argc, char** argv) {
    using df::ExitCode;
    ::signal(SIGPIPE, SIG_IGN);
    df::set_program_name(argv[0]);
    cxxopts::Options spec(
        df::program_name(),
        "Deploy compiled skills to Coolify: git branch, app, deployment, health, registry.");
    spec.custom_help("[options]").positional_help("SKILL_DIR...");
    // clang-format off
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
        ("print-config", "Show the resolved configuration (token masked) and exit")
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
        ("poll-interval", "Time between status polls (default 2s; at least 1s, or 100ms for a loopback server)", cxxopts::value<std::string>(), "DUR")
        ("h,help", "Show this help")
        ("version", "Show the version")
        ("dirs", "Skill folders", cxxopts::value<std::vector<std::string>>());
    // clang-format on
    // Evidence (docs/evidence.md).
    spec.add_options("Evidence")("evidence",
                                 "Print NAME's newest provenance (in-toto Statement in a DSSE envelope)",
                                 cxxopts::value<std::string>(), "NAME");
    spec.parse_positional({"dirs"});
    df::deployer::DeployOptions options;
    try {
        const auto args = spec.parse(argc, argv);
        if (args.count("help")) {
            std::cout
                << spec.help()
                << "\n  deploy SKILL_DIR...            deploy (concurrently), then print a summary\n"
                   "  deploy --rollback NAME [--to COMMIT]\n"
                   "  deploy --remove NAME [--delete-branch]\n"
                   "  deploy --evidence NAME         print NAME's newest provenance (DF_EVIDENCE_KEY signs "
                   "it)\n"
                   "Exit status: 0 deployed, 1 failed (and rolled back when asked), 2 failed and the "
                   "rollback "
                   "failed too, 5 timed out, 64 usage, 65 bad skill or registry, 69 remote unavailable, 77 "
                   "auth refused, 78 config error, 130 interrupted (143 on SIGTERM) (docs/exit-codes.md, "
                   "docs/deploy.md).\n";
            return 0;
        }
        if (args.count("version")) {
            std::cout << df::program_name() << " (Dark Factory Engine) " << DF_VERSION << "\n";
            return 0;
        }
        const int modes =
            static_cast<int>(args.count("rollback") + args.count("remove") + args.count("print-config"));
        if (modes > 1)
            throw cxxopts::exceptions::exception(
                "--rollback, --remove and --print-config exclude each other");
        if (args.count("rollback"))
            options.mode = df::deployer::Mode::rollback, options.name = args["rollback"].as<std::string>();
        if (args.count("remove"))
            options.mode = df::deployer::Mode::remove, options.name = args["remove"].as<std::string>();
        if (args.count("print-config")) options.mode = df::deployer::Mode::print_config;
        if (args.count("dirs")) options.skill_dirs = args["dirs"].as<std::vector<std::string>>();
        if (options.mode != df::deployer::Mode::deploy && !options.skill_dirs.empty()) {
            throw cxxopts::exceptions::exception("skill folders are only taken when deploying");
        }
        if (args.count("to")) {
            if (options.mode != df::deployer::Mode::rollback)
                throw cxxopts::exceptions::exception("--to needs --rollback");
            options.to_commit = args["to"].as<std::string>();
        }
        options.delete_branch = args.count("delete-branch") > 0;
        if (options.delete_branch && options.mode != df::deployer::Mode::remove) {
            throw cxxopts::exceptions::exception("--delete-branch needs --remove");
        }
        if (args.count("env")) {
            for (const auto& kv : args["env"].as<std::vector<std::string>>()) {
                const auto eq = kv.find('=');
                if (eq == std::string::npos || eq == 0)
                    throw cxxopts::exceptions::exception("--env takes KEY=VALUE");
                options.env.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
            }
        }
        if (args.count("timeout")) {
            options.timeout = df::deployer::parse_duration(args["timeout"].as<std::string>());
            if (!options.timeout)
                throw cxxopts::exceptions::exception("--timeout takes a duration such as 90s, 10m or 1h");
        }
        if (args.count("poll-interval")) {
            auto d = df::deployer::parse_duration_ms(args["poll-interval"].as<std::string>());
            if (!d)
                throw cxxopts::exceptions::exception("--poll-interval takes a duration such as 2s or 500ms");
            options.poll_interval = *d;
        }
        options.dry_run = args.count("dry-run") > 0;
        options.wait = args.count("no-wait") == 0;
        options.json = args.count("json") > 0;
        options.force = args.count("force") > 0;
        options.auto_rollback = args.count("auto-rollback") > 0;
        options.show_secrets = args.count("show-secrets") > 0;
        options.config_flags.insecure_http = args.count("insecure-http") > 0;
        for (const char* key :
             {"coolify-url", "context", "git-remote", "git-url", "git-source", "private-key-uuid",
              "github-app-uuid", "server-uuid", "project-uuid", "environment", "destination-uuid", "domain",
              "registry", "branch-prefix", "ca-file", "secrets-dir", "config"}) {
            if (!args.count(key)) continue;
            std::string name = key;
            for (auto& ch : name) ch = ch == '-' ? '_' : ch;
            options.config_flags.values[name] = args[key].as<std::string>();
        }
        if (args.count("token-file")) {
            auto token = df::read_file(args["token-file"].as<std::string>(), 64 * 1024);
            if (!token) {
                return static_cast<int>(df::report(std::cerr, {ExitCode::config, token.error().message}));
            }
            std::string t = *token;
            while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
            options.config_flags.values["token"] = t;
        }
        // Evidence: a mode of its own; DF_EVIDENCE_KEY signs what every mode records.
        if (args.count("evidence")) {
            if (modes > 0 || !options.skill_dirs.empty())
                throw cxxopts::exceptions::exception("--evidence takes no other mode and no skill folder");
            options.mode = df::deployer::Mode::evidence, options.name = args["evidence"].as<std::string>();
        }
        if (const char* key = std::getenv("DF_EVIDENCE_KEY")) options.evidence_key = key;
        options.actor = who_runs();
    } catch (const cxxopts::exceptions::exception& e) {
        const auto text = fmt::format("{} (see {} --help)", e.what(), df::program_name());
        return static_cast<int>(df::report(std::cerr, {ExitCode::usage, text}));
    }
    options.cancel = &g_cancel;
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    const ExitCode code = df::deployer::run_deploy(options, std::cout, std::cerr);
    // 128 + the signal, as shells and supervisors expect: SIGINT 130, SIGTERM 143 (docs/exit-codes.md).
    if (code == ExitCode::interrupted && g_signal) return 128 + g_signal;
    return static_cast<int>(code);
}
