#include "monitor/session.h"

#include <ctime>
#include <ostream>

#include <fmt/format.h>

#include "common/files.h"
#include "common/manifest.h"
#include "common/text.h"
#include "monitor/fleet.h"
#include "monitor/follow.h"
#include "monitor/listing.h"
#include "monitor/pacer.h"

namespace df::monitor {

namespace {

http::Options api_options(const Config& config, const World& world) {
    http::Options o;
    o.connect_timeout = http::Millis(5'000);
    o.total_timeout = http::Millis(20'000);
    o.retry_budget = http::Millis(45'000);  // includes Retry-After waits: a cron run must end
    o.ca_file = config.ca_file.value;
    o.secrets = {config.token.value};
    o.cancel = world.cancel;
    return o;
}

// The health hook is probed once, briefly: it says whether the service answers, not why it might not.
http::Options probe_options(const Config& config, const World& world) {
    http::Options o;
    o.connect_timeout = http::Millis(3'000);
    o.total_timeout = http::Millis(5'000);
    o.max_attempts = 1;
    o.max_redirects = 3;  // the app's own address may send http to https
    o.max_response_bytes = 64 * 1024;
    o.ca_file = config.ca_file.value;
    o.cancel = world.cancel;
    return o;
}

bool not_running_error(const Error& e) {
    return e.message.find("not running") != std::string::npos;
}

std::int64_t wall_now() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

}  // namespace

Result<ConfigFlags> config_flags_from(const Options& options) {
    ConfigFlags flags;
    if (!options.token_file.empty()) {
        auto token = read_file(options.token_file, 64 * 1024);
        if (!token) return Error{ExitCode::config, fmt::format("--token-file: {}", token.error().message)};
        flags.values["token"] = std::string(trim(*token));
    }
    if (!options.ca_file.empty()) flags.values["ca_file"] = options.ca_file;
    if (!options.coolify_url.empty()) flags.values["coolify_url"] = options.coolify_url;
    if (!options.context.empty()) flags.values["context"] = options.context;
    if (!options.config_file.empty()) flags.values["config"] = options.config_file;
    if (!options.registry_path.empty()) flags.values["registry"] = options.registry_path;
    flags.insecure_http = options.insecure_http;
    return flags;
}

Result<std::string> registry_path_for(const Options& options, const EnvLookup& env) {
    if (auto flags = config_flags_from(options)) {
        if (auto config = resolve_config(*flags, env); config && config->registry.set())
            return config->registry.value;
    }
    std::optional<std::string> flag;
    if (!options.registry_path.empty()) flag = options.registry_path;
    return resolve_registry_path(flag, env);
}

RegistryRead read_registry(const std::string& path) {
    RegistryRead read{path, {}, std::nullopt};
    auto loaded = load_registry(path);
    if (loaded)
        read.registry = std::move(*loaded);
    else
        read.error = loaded.error();
    return read;
}

Session::Session(World& world, Config config)
    : world_(world),
      config_(std::move(config)),
      registry_path_(config_.registry.value),
      http_(api_options(config_, world), world.transport, world.clock),
      api_(std::make_unique<coolify::Client>(http_, config_.coolify_url.value, config_.token.value)) {}

Result<std::unique_ptr<Session>> Session::open(const Options& options, World& world) {
    auto flags = config_flags_from(options);
    if (!flags) return flags.error();
    auto config = resolve_config(*flags, world.env);
    if (!config) return config.error();
    if (auto s = require_settings(*config, {"coolify_url", "token"}); !s) {
        return Error{s.error().code, s.error().message + "; `monitor --offline` works without them"};
    }
    return std::unique_ptr<Session>(new Session(world, std::move(*config)));
}

Result<Listing> Session::listing(std::optional<Error>& registry_error) {
    auto apps = api_->list_applications();
    if (!apps) return apps.error();
    RegistryRead read = read_registry(registry_path_);
    Listing listing = build_listing(*apps, read.registry);
    if (read.error) {
        listing.warnings.push_back(read.error->message);
        registry_error = read.error;
    }
    return listing;
}

std::map<std::string, LastRun> Session::last_runs_of(const Registry& registry) {
    ServiceClient client(service_http_options(config_.ca_file.value, world_.cancel), world_.transport,
                         world_.clock);
    return last_runs(registry, FleetSettings{config_.secrets_dir.value, config_.insecure_http}, client,
                     world_.cancel);
}

void Session::attach_last_runs(Listing& listing) {
    RegistryRead read = read_registry(registry_path_);
    if (read.error) return;  // the listing already reports it
    const auto runs = last_runs_of(read.registry);
    for (auto& row : listing.apps) {
        if (const auto it = runs.find(row.skill); it != runs.end()) row.last_run = it->second;
    }
}

Status Session::attach_latest_deployments(Listing& listing) {
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < listing.apps.size(); ++i) {
        if (listing.apps[i].in_coolify) rows.push_back(i);
    }
    std::vector<std::pair<std::string, coolify::Deployment>> latest(rows.size());
    Pacer pacer(*world_.clock, kPerAppRequestsPerMinute);
    auto s = run_paced(rows.size(), kConcurrency, pacer, world_.cancel, [&](std::size_t i) -> Status {
        const auto& uuid = listing.apps[rows[i]].uuid;
        auto page = api_->list_deployments(uuid, 0, 1);
        if (!page) return page.error();
        if (!page->deployments.empty()) latest[i] = {uuid, page->deployments.front()};
        return ok();
    });
    if (!s) return s;
    attach_latest(listing, latest);
    return ok();
}

Result<std::optional<coolify::Application>> Session::find_app_optional(const std::string& app_name) {
    auto apps = api_->list_applications();
    if (!apps) return apps.error();
    for (const auto& app : *apps) {
        if (app.name != app_name) continue;
        auto full = api_->get_application(app.uuid);  // the list leaves out settings
        if (!full) return full.error();
        return *full ? *full : std::optional<coolify::Application>(app);
    }
    return std::optional<coolify::Application>{};
}

Result<coolify::Application> Session::find_app(const std::string& app_name) {
    auto app = find_app_optional(app_name);
    if (!app) return app.error();
    if (!*app) return Error{ExitCode::failed, fmt::format("Coolify has no app named {}", app_name)};
    return **app;
}

Probe Session::probe(const std::string& domain) {
    Probe p;
    std::string base = domain;
    while (!base.empty() && base.back() == '/') base.pop_back();
    p.url = base + ServiceInfo{}.health_hook;
    http::Client client(probe_options(config_, world_), world_.transport, world_.clock);
    const auto start = world_.clock->now();
    auto response = client.send(http::Request{"GET", p.url, {}, {}});
    p.millis = std::chrono::duration_cast<http::Millis>(world_.clock->now() - start).count();
    if (response)
        p.status = response->status;
    else
        p.error = response.error().message;
    return p;
}

Result<Detail> Session::detail(const std::string& name) {
    Detail d;
    d.skill = name;
    d.app_name = app_name_for(name);
    d.now = wall_now();
    auto app = find_app_optional(d.app_name);
    if (!app) return app.error();
    d.app = std::move(*app);
    RegistryRead read = read_registry(registry_path_);
    if (read.error) return *read.error;
    const std::string skill = d.app_name.substr(kAppPrefix.size());
    if (auto it = read.registry.skills.find(skill); it != read.registry.skills.end()) d.record = it->second;
    if (!d.app && !d.record) {
        return Error{ExitCode::failed,
                     fmt::format("no skill named {}: Coolify has no app {} and the registry {} has no entry",
                                 skill, d.app_name, registry_path_)};
    }
    if (d.app) {
        auto page = api_->list_deployments(d.app->uuid, 0, kRecentDeployments);
        if (!page) return page.error();
        d.deployments = std::move(*page);
        if (const auto domain = first_domain(d.app->fqdn); !domain.empty()) d.probe = probe(domain);
    }
    if (d.record && d.record->status != "removed") {
        Registry one;
        one.skills[skill] = *d.record;
        const auto runs = last_runs_of(one);
        if (const auto it = runs.find(skill); it != runs.end()) d.last_run = it->second;
    }
    return d;
}

Result<BuildLog> Session::load_build_log(const std::string& app_name, const std::string& deployment_uuid) {
    auto dep = api_->get_deployment(deployment_uuid);
    if (!dep) return dep.error();
    if (!*dep) return Error{ExitCode::failed, fmt::format("Coolify has no deployment {}", deployment_uuid)};
    if (!(*dep)->application_name.empty() && (*dep)->application_name != app_name) {
        return Error{ExitCode::failed, fmt::format("deployment {} belongs to {}, not {}", deployment_uuid,
                                                   (*dep)->application_name, app_name)};
    }
    if (!(*dep)->logs) {
        return Error{ExitCode::no_permission,
                     "Coolify returned the deployment without its log: the token needs the read:sensitive "
                     "permission (or root) to read build logs"};
    }
    auto entries = coolify::parse_build_log(*(*dep)->logs);
    if (!entries) return entries.error();
    return BuildLog{app_name, std::move(**dep), visible_entries(std::move(*entries))};
}

Result<BuildLog> Session::build_log(const std::string& name, const std::string& deployment_uuid) {
    const std::string app_name = app_name_for(name);
    auto app = find_app(app_name);
    if (!app) return app.error();
    std::string uuid = deployment_uuid;
    if (uuid.empty()) {
        auto page = api_->list_deployments(app->uuid, 0, 1);
        if (!page) return page.error();
        if (page->deployments.empty())
            return Error{ExitCode::failed, fmt::format("{} has no deployments", app_name)};
        uuid = page->deployments.front().deployment_uuid;
    }
    return load_build_log(app_name, uuid);
}

Result<RuntimeLogs> Session::runtime_logs(const std::string& name, int lines) {
    RuntimeLogs logs;
    logs.app_name = app_name_for(name);
    auto app = find_app(logs.app_name);
    if (!app) return app.error();
    logs.app_uuid = app->uuid;
    logs.status = app->status;
    if (coolify::AppState::parse(app->status).up()) {
        auto text = api_->application_logs(app->uuid, lines);
        if (text) {
            logs.lines = split_lines(*text);
            return logs;
        }
        if (!not_running_error(text.error())) return text.error();
    }
    logs.running = false;  // stopped: show why, from the last build log
    auto page = api_->list_deployments(app->uuid, 0, 1);
    if (!page) return page.error();
    if (!page->deployments.empty()) {
        auto build = load_build_log(logs.app_name, page->deployments.front().deployment_uuid);
        if (!build) return build.error();
        logs.stopped_build_log = std::move(*build);
    }
    return logs;
}

ExitCode Session::follow(const Options& options, std::ostream& out, std::ostream& err) {
    const std::string app_name = app_name_for(options.name);
    auto app = find_app(app_name);
    if (!app) {
        return report(err, app.error());
    }
    // Each poll asks for a window larger than what is printed, so the overlap with the previous poll is
    // found even when many lines arrived in between.
    const int window = std::max(options.lines, 1000);
    std::vector<std::string> previous;
    bool first = true, said_stopped = false;
    for (;;) {
        auto text = api_->application_logs(app->uuid, window);
        if (text) {
            auto current = split_lines(*text);
            auto fresh = first ? current : new_lines(previous, current);
            const std::size_t skip = first && fresh.size() > static_cast<std::size_t>(options.lines)
                                         ? fresh.size() - static_cast<std::size_t>(options.lines)
                                         : 0;
            for (std::size_t i = skip; i < fresh.size(); ++i) out << fresh[i] << "\n";
            out << std::flush;
            previous = std::move(current);
            first = false;
            said_stopped = false;
        } else if (text.error().code == ExitCode::no_permission ||
                   text.error().code == ExitCode::interrupted) {
            return report(err, text.error());
        } else if (!said_stopped) {
            report_note(err, "note", text.error().message + "; still watching");
            said_stopped = true;
        }
        if (!world_.clock->sleep_for(std::chrono::seconds(options.follow_seconds), world_.cancel)) {
            return ExitCode::interrupted;
        }
    }
}

}  // namespace df::monitor
