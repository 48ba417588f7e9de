// Flag parsing for monitor. cxxopts never lets an option with an optional value take the next argument,
// so `--watch 5` and `--deployment UUID` are resolved here: a number after --watch is its interval, a
// second positional argument after --deployment is the deployment's UUID.
#include <algorithm>
#include <cctype>
#include <regex>
#include <sstream>

#include <cxxopts.hpp>
#include <fmt/format.h>

#include "monitor/options.h"

namespace df::monitor {

namespace {

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

Error usage(std::string message);

bool is_run_id_text(std::string_view s) {
    static const std::regex pattern("^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$");
    return std::regex_match(s.begin(), s.end(), pattern);
}

// Runs and alerts (docs/monitor.md, "Runs" and "Alerts"), kept together.
void add_runs_options(cxxopts::Options& spec) {
    spec.add_options("Runs and alerts")("runs", "Recent runs of NAME, from its service (newest first)")(
        "run", "One run of NAME with its steps", cxxopts::value<std::string>(), "RUN_ID")(
        "status", "With --runs: only these statuses (comma-separated)", cxxopts::value<std::string>(), "S")(
        "since", "With --runs: runs created at or after this UTC time", cxxopts::value<std::string>(),
        "TIME")("before", "With --runs: the page after this run id (the cursor --runs prints)",
                cxxopts::value<std::string>(), "RUN_ID")("limit", "With --runs: at most N runs (1 to 200)",
                                                         cxxopts::value<int>()->default_value("20"), "N")(
        "grace", "--check: minutes a due cron run may be late", cxxopts::value<int>()->default_value("10"),
        "MIN")("approval-wait", "--check: minutes a run may wait for an approval",
               cxxopts::value<int>()->default_value("60"),
               "MIN")("notify", "--check: POST a JSON message to URL when the verdict changes (repeatable)",
                      cxxopts::value<std::vector<std::string>>(), "URL")(
        "notify-cmd", "--check: run CMD with the message on stdin when the verdict changes (repeatable)",
        cxxopts::value<std::vector<std::string>>(),
        "CMD")("diagnose", "Ask the OpenClaw Gateway why NAME's run failed (default: its newest failed run)",
               cxxopts::value<std::string>()->implicit_value(""), "RUN_ID")(
        "skill-dir", "With --diagnose: the compiled skill folder (its commands, guardrails, workflow)",
        cxxopts::value<std::string>(), "DIR");
}

// Reads the runs and alerts options and checks that they go with the view.
std::optional<Error> read_runs_values(const cxxopts::ParseResult& args, Options& o) {
    auto text = [&](const char* key, std::string& out) {
        if (args.count(key)) out = args[key].as<std::string>();
    };
    text("run", o.run_id);
    if (args.count("diagnose") && o.run_id.empty()) text("diagnose", o.run_id);
    text("skill-dir", o.skill_dir);
    if (!o.run_id.empty() && !is_run_id_text(o.run_id))
        return usage(fmt::format("'{}' is not a run id (like 20260101T120000Z-0123abcd)", o.run_id));
    if (args.count("skill-dir") && o.view != View::diagnose) return usage("--skill-dir goes with --diagnose");
    text("status", o.runs_status);
    text("since", o.runs_since);
    text("before", o.runs_before);
    o.runs_limit = args["limit"].as<int>();
    if (o.runs_limit < 1 || o.runs_limit > 200) return usage("--limit takes 1 to 200");
    o.grace_minutes = args["grace"].as<int>();
    o.approval_wait_minutes = args["approval-wait"].as<int>();
    if (o.grace_minutes < 0 || o.grace_minutes > 100000 || o.approval_wait_minutes < 1 ||
        o.approval_wait_minutes > 100000)
        return usage("--grace takes 0 to 100000 minutes, --approval-wait 1 to 100000");
    if (args.count("notify")) o.notify_urls = args["notify"].as<std::vector<std::string>>();
    if (args.count("notify-cmd")) o.notify_commands = args["notify-cmd"].as<std::vector<std::string>>();
    const bool filters =
        args.count("status") || args.count("since") || args.count("before") || args.count("limit");
    if (filters && o.view != View::runs)
        return usage("--status, --since, --before and --limit go with --runs");
    const bool check_only = args.count("grace") || args.count("approval-wait") || args.count("notify") ||
                            args.count("notify-cmd");
    if (check_only && o.view != View::check)
        return usage("--grace, --approval-wait, --notify and --notify-cmd go with --check");
    for (const auto& url : o.notify_urls) {
        if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
            return usage("--notify takes an http:// or https:// URL");
    }
    if ((o.view == View::runs || o.view == View::run || o.view == View::diagnose) && o.name.empty()) {
        return usage(fmt::format("--{} needs the skill's NAME", o.view == View::runs  ? "runs"
                                                                : o.view == View::run ? "run"
                                                                                      : "diagnose"));
    }
    return std::nullopt;
}

cxxopts::Options make_spec() {
    cxxopts::Options spec(
        program_name(), "Show what Dark Factory skills are deployed on Coolify, and whether they are well.");
    spec.custom_help("[options]").positional_help("[NAME] [UUID]");
    spec.add_options()("logs", "Runtime logs of NAME (the last deployment's build log when it is stopped)")(
        "n,lines", "Log lines to show (Coolify caps at 10000)", cxxopts::value<int>()->default_value("100"),
        "N")("f,follow", "With --logs: keep polling and print new lines")(
        "interval", "Seconds between --follow polls", cxxopts::value<int>()->default_value("2"), "S")(
        "timestamps", "With --logs: keep the container's timestamps")(
        "deployment", "Build log of NAME's deployment UUID (default: the latest)",
        cxxopts::value<std::string>()->implicit_value(""),
        "UUID")("offline", "Show the registry alone: no network, no Coolify config needed")(
        "check",
        "A summary line, one line per problem and an exit code for cron: 0 healthy, 1 a problem (app or "
        "runs), 69 unreachable")("watch", "Refresh the listing every SECONDS (default 10)",
                                 cxxopts::value<std::string>()->implicit_value("10"), "SECONDS")(
        "deployments", "Listing: add each app's newest Coolify deployment (one paced request per app)")(
        "json", "One JSON document on stdout (docs/monitor.md)")(
        "coolify-url", "Coolify base URL (else COOLIFY_URL, config file, Coolify CLI)",
        cxxopts::value<std::string>(),
        "URL")("token-file", "File holding the Coolify API token (else COOLIFY_TOKEN, config files)",
               cxxopts::value<std::string>(), "FILE")(
        "ca-file", "PEM bundle to trust for Coolify's TLS certificate", cxxopts::value<std::string>(),
        "FILE")("context", "Coolify CLI context (instance) to use", cxxopts::value<std::string>(), "NAME")(
        "config", "Config file (else DF_CONFIG or the default location)", cxxopts::value<std::string>(),
        "FILE")("registry", "Registry file (else DF_REGISTRY, the config file, the default location)",
                cxxopts::value<std::string>(), "FILE")(
        "insecure-http", "Allow sending the token over plain http:// to a host that is not loopback")(
        "color", "Colour: auto, always or never", cxxopts::value<std::string>()->default_value("auto"),
        "WHEN")("h,help", "Show this help")("version", "Show the version")(
        "positional", "NAME and UUID", cxxopts::value<std::vector<std::string>>());
    add_runs_options(spec);
    // Earlier spellings, still accepted, not shown in --help (docs/monitor.md, "Registry file").
    spec.add_options("compat")("registry-file", "", cxxopts::value<std::string>(), "FILE");
    // Evidence (docs/evidence.md).
    spec.add_options("Evidence")("verify-evidence",
                                 "Verify deploy's provenance ledger offline (with --key: its signatures)")(
        "key", "With --verify-evidence: the Ed25519 public key (PEM) entries must be signed with",
        cxxopts::value<std::string>(), "PUB.pem");
    spec.parse_positional({"positional"});
    return spec;
}

// Rewrites argv before cxxopts sees it (it never lets an optional value take the next argument):
//   "--watch 5" → "--watch=5";
//   "--registry FILE" is the registry file, as in deploy; a bare "--registry" (last, or before another
//   option) is the earlier spelling of --offline, which PRODUCT.md documents.
std::vector<std::string> normalise_args(int argc, const char* const* argv) {
    std::vector<std::string> args(argv, argv + argc);
    bool options_end = false;
    for (std::size_t i = 1; i < args.size(); ++i) {
        if (args[i] == "--") options_end = true;
        if (options_end) continue;
        const bool has_next = i + 1 < args.size();
        if (args[i] == "--watch" && has_next && all_digits(args[i + 1])) {
            args[i] += "=" + args[i + 1];
            args.erase(args.begin() + static_cast<std::ptrdiff_t>(i) + 1);
        } else if (args[i] == "--registry" && (!has_next || args[i + 1].rfind("-", 0) == 0)) {
            args[i] = "--offline";
        }
    }
    return args;
}

// cxxopts shows an option with an implicit value as "--deployment [=UUID(=)]"; say "[UUID]" instead,
// padded so the descriptions stay aligned.
std::string tidy_help(const std::string& text) {
    static const std::regex implicit(R"(\[=([A-Z_]+)\(=[^)]*\)\])");
    std::string out;
    std::size_t last = 0;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), implicit); it != std::sregex_iterator();
         ++it) {
        const std::string shown = "[" + (*it)[1].str() + "]";  // always shorter than the match
        out += text.substr(last, static_cast<std::size_t>(it->position()) - last);
        out += shown + std::string(static_cast<std::size_t>(it->length()) - shown.size(), ' ');
        last = static_cast<std::size_t>(it->position() + it->length());
    }
    return out + text.substr(last);
}

Error usage(std::string message) {
    return Error{ExitCode::usage, std::move(message) + " (see " + program_name() + " --help)"};
}

std::optional<Error> pick_view(const cxxopts::ParseResult& args, Options& o) {
    // --check --offline is the check without Coolify: the registry and the services' own hooks.
    o.offline = args.count("offline") > 0;
    const bool offline_view = o.offline && !args.count("check");
    const int views =
        static_cast<int>(args.count("logs") + args.count("deployment") + offline_view + args.count("check") +
                         args.count("runs") + args.count("run") + args.count("diagnose"));
    if (views > 1)
        return usage(
            "--logs, --deployment, --offline, --check, --runs, --run and --diagnose exclude each other");
    if (args.count("diagnose"))
        o.view = View::diagnose;
    else if (args.count("runs"))
        o.view = View::runs;
    else if (args.count("run"))
        o.view = View::run;
    else if (args.count("logs"))
        o.view = View::logs;
    else if (args.count("deployment"))
        o.view = View::deployment;
    else if (offline_view)
        o.view = View::registry;
    else if (args.count("check"))
        o.view = View::check;
    else if (!o.name.empty())
        o.view = View::detail;
    if ((o.view == View::logs || o.view == View::deployment) && o.name.empty()) {
        return usage(
            fmt::format("--{} needs the skill's NAME", o.view == View::logs ? "logs" : "deployment"));
    }
    if ((o.view == View::registry || o.view == View::check) && !o.name.empty()) {
        return usage(fmt::format("--{} takes no NAME", o.view == View::registry ? "offline" : "check"));
    }
    if (o.follow && o.view != View::logs) return usage("--follow goes with --logs");
    if (o.follow && o.json)
        return usage("--follow prints lines as they come; it does not combine with --json");
    if (o.deployments && o.view != View::listing) return usage("--deployments goes with the listing");
    if (o.watch && o.view != View::listing)
        return usage("--watch refreshes the listing only; it takes no other view");
    return std::nullopt;
}

// --verify-evidence: a view of its own, offline, with no NAME.
std::optional<Error> pick_evidence(const cxxopts::ParseResult& args, Options& o) {
    if (args.count("key")) o.evidence_key = args["key"].as<std::string>();
    if (!args.count("verify-evidence")) {
        if (args.count("key")) return usage("--key goes with --verify-evidence");
        return std::nullopt;
    }
    if (o.view != View::listing || o.watch || o.deployments)
        return usage("--verify-evidence takes no other view, NAME, --watch or --deployments");
    o.view = View::evidence;
    return std::nullopt;
}

std::optional<Error> read_values(const cxxopts::ParseResult& args, Options& o) {
    const auto positional = args.count("positional") ? args["positional"].as<std::vector<std::string>>()
                                                     : std::vector<std::string>{};
    if (!positional.empty()) o.name = positional[0];
    if (args.count("deployment")) o.deployment_uuid = args["deployment"].as<std::string>();
    if (positional.size() == 2 && args.count("deployment") && o.deployment_uuid.empty()) {
        o.deployment_uuid = positional[1];
    } else if (positional.size() == 2 && args.count("diagnose") &&
               args["diagnose"].as<std::string>().empty()) {
        o.run_id = positional[1];
    } else if (positional.size() > 1) {
        return usage(fmt::format("unexpected argument '{}'", positional[1]));
    }
    o.lines = args["lines"].as<int>();
    if (o.lines < 1 || o.lines > kMaxLogLines)
        return usage(fmt::format("--lines takes 1 to {}", kMaxLogLines));
    o.follow_seconds = args["interval"].as<int>();
    if (o.follow_seconds < 1 || o.follow_seconds > 3600) return usage("--interval takes 1 to 3600 seconds");
    o.follow = args.count("follow") > 0;
    o.json = args.count("json") > 0;
    o.deployments = args.count("deployments") > 0;
    if (args.count("watch")) {
        const auto text = args["watch"].as<std::string>();
        if (!all_digits(text) || text.size() > 5 || std::stoi(text) < 1) {
            return usage(fmt::format("--watch takes a number of seconds, not '{}'", text));
        }
        o.watch = std::stoi(text);
    }
    if (args.count("coolify-url")) o.coolify_url = args["coolify-url"].as<std::string>();
    if (args.count("token-file")) o.token_file = args["token-file"].as<std::string>();
    if (args.count("ca-file")) o.ca_file = args["ca-file"].as<std::string>();
    if (args.count("context")) o.context = args["context"].as<std::string>();
    if (args.count("config")) o.config_file = args["config"].as<std::string>();
    if (args.count("registry") && args.count("registry-file"))
        return usage("--registry and --registry-file name the same file; give one");
    if (args.count("registry")) o.registry_path = args["registry"].as<std::string>();
    if (args.count("registry-file")) o.registry_path = args["registry-file"].as<std::string>();
    o.insecure_http = args.count("insecure-http") > 0;
    o.color = args["color"].as<std::string>();
    if (o.color != "auto" && o.color != "always" && o.color != "never") {
        return usage("--color takes auto, always or never");
    }
    return std::nullopt;
}

}  // namespace

std::string usage_text() {
    return tidy_help(make_spec().help({"", "Runs and alerts"})) +
           "\nViews: monitor (all df-* apps), monitor NAME, monitor NAME --logs, monitor NAME --deployment "
           "[UUID],\n"
           "monitor --offline (also spelt: a bare --registry), monitor --check [--offline] [--notify URL],\n"
           "monitor NAME --runs, monitor NAME --run RUN_ID, monitor NAME --diagnose [RUN_ID].\n"
           "Exit status: 0 ok, 1 unhealthy, missing, or a run problem (--check), 64 usage, 65 corrupt "
           "registry, 66 "
           "unreadable\n"
           "registry, 69 Coolify unreachable, 76 bad answer from Coolify, 77 credentials refused, 78 "
           "configuration\n"
           "missing, 130 interrupted, 143 terminated (docs/monitor.md, docs/exit-codes.md).\n";
}

Result<Options> parse_options(int argc, const char* const* argv) {
    Options o;
    try {
        auto spec = make_spec();
        const auto joined = normalise_args(argc, argv);
        std::vector<const char*> ptrs;
        for (const auto& a : joined) ptrs.push_back(a.c_str());
        const auto args = spec.parse(static_cast<int>(ptrs.size()), ptrs.data());
        o.help = args.count("help") > 0;
        o.version = args.count("version") > 0;
        if (o.help || o.version) return o;
        if (auto e = read_values(args, o)) return *e;
        if (auto e = pick_view(args, o)) return *e;
        if (auto e = read_runs_values(args, o)) return *e;
        if (auto e = pick_evidence(args, o)) return *e;
    } catch (const cxxopts::exceptions::exception& e) {
        return usage(e.what());
    }
    return o;
}

}  // namespace df::monitor
