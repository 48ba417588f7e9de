#include "monitor/service_views.h"

#include <ctime>
#include <ostream>
#include <unistd.h>

#include <fmt/format.h>

#include "common/coolify/config.h"
#include "monitor/alerts.h"
#include "monitor/check.h"
#include "monitor/fleet.h"
#include "monitor/runs_view.h"
#include "monitor/session.h"
#include "monitor/timefmt.h"

namespace df::monitor {

namespace {

// The settings without requiring Coolify's: the services need only the registry and the secrets folder.
Result<Config> offline_config(const Options& options, const World& world) {
    auto flags = config_flags_from(options);
    if (!flags) return flags.error();
    return resolve_config(*flags, world.env);
}

std::string registry_key(const Options& options, const std::string& path) {
    return options.offline ? path + " (offline)" : path;
}

// Records the verdict and sends a message when it changed. An error verdict (unreachable Coolify, bad
// configuration) is no state: nothing is recorded or sent.
void notify_on_change(const Options& options, const Config& config, World& world, const CheckResult& result,
                      const std::string& key, std::int64_t now, std::ostream& err) {
    // --notify / --notify-cmd on the command line replace the config file's notify and notify_cmd.
    const bool flags = !options.notify_urls.empty() || !options.notify_commands.empty();
    NotifyTargets targets = flags ? NotifyTargets{options.notify_urls, options.notify_commands}
                                  : NotifyTargets{config.notify, config.notify_cmd};
    if (!targets.any() || (result.code != ExitCode::ok && result.code != ExitCode::failed)) return;
    auto path = alert_state_path(world.env);
    const std::string at = utc_timestamp(static_cast<std::time_t>(now));
    const AlertState state = result.code == ExitCode::ok ? AlertState::healthy : AlertState::failing;
    auto transition = path ? record_alert_state(*path, key, state, at)
                           : Result<std::optional<AlertTransition>>(path.error());
    if (!transition) {
        report_note(err, "warning", "no alert sent: " + transition.error().message);
        return;
    }
    if (!*transition) return;
    deliver_alert(targets, alert_payload(result, **transition, at), **transition, result.summary,
                  world.transport, world.clock, err);
}

// The verdict: Coolify's health (unless offline) and the runs of every skill with a domain.
CheckResult evaluate(const Options& options, World& world, const Config& config, std::int64_t now,
                     std::optional<Error>& error) {
    RegistryRead read = read_registry(config.registry.value);
    CheckInput input;
    if (options.offline) {
        if (read.error) return check_from_error(*read.error);
        input = registry_input(read.registry);
    } else {
        auto session = Session::open(options, world);
        auto listing = session ? (*session)->listing(error) : Result<Listing>(session.error());
        if (!listing) error = listing.error();
        if (error) return check_from_error(*error);
        input = health_input(*listing);
    }
    ServiceClient client(service_http_options(config.ca_file.value, world.cancel), world.transport,
                         world.clock);
    RunsQuery query;
    query.limit = kCheckRunsLimit;
    const auto runs =
        fetch_fleet_runs(read.registry, FleetSettings{config.secrets_dir.value, config.insecure_http}, client,
                         query, world.cancel);
    if (world.cancel && world.cancel->load())
        return check_from_error(Error{ExitCode::interrupted, "interrupted"});
    Thresholds limits;
    limits.grace_seconds = static_cast<std::int64_t>(options.grace_minutes) * 60;
    limits.approval_seconds = static_cast<std::int64_t>(options.approval_wait_minutes) * 60;
    add_run_problems(input, runs, read.registry, limits, now);
    return conclude_check(std::move(input));
}

}  // namespace

Result<std::int64_t> monitor_now(const EnvLookup& env) {
    const auto fake = env("DF_MONITOR_NOW");
    if (!fake || fake->empty()) return static_cast<std::int64_t>(std::time(nullptr));
    if (fake->find_first_not_of("0123456789") == std::string::npos && fake->size() < 12)
        return static_cast<std::int64_t>(std::stoll(*fake));
    if (auto t = parse_timestamp(*fake)) return *t;
    return Error{
        ExitCode::config,
        fmt::format("DF_MONITOR_NOW must be Unix seconds or a UTC time like 2026-12-03T08:00:00Z, not '{}'",
                    *fake)};
}

ExitCode check_view(const Options& options, World& world, std::ostream& out, std::ostream& err) {
    std::optional<Error> error;
    auto now = monitor_now(world.env);
    auto config = offline_config(options, world);
    if (!now) error = now.error();
    if (!config && !error) error = config.error();
    const CheckResult result =
        error ? check_from_error(*error) : evaluate(options, world, *config, *now, error);
    out << (options.json ? check_json(result) : check_text(result));
    // The summary line already says what is wrong; stderr repeats it only when stdout is JSON, so cron
    // mail (which gets both streams) shows the problem once.
    if (error && options.json) report(err, *error);
    if (config && now)
        notify_on_change(options, *config, world, result, registry_key(options, config->registry.value), *now,
                         err);
    return result.code;
}

ExitCode runs_view(const Options& options, World& world, std::ostream& out, std::ostream& err) {
    auto config = offline_config(options, world);
    if (!config) return report(err, config.error());
    auto registry = load_registry(config->registry.value);
    if (!registry) return report(err, registry.error());
    const std::string skill =
        options.name.rfind(kAppPrefix, 0) == 0 ? options.name.substr(kAppPrefix.size()) : options.name;
    const auto it = registry->skills.find(skill);
    if (it == registry->skills.end())
        return report(err, Error{ExitCode::failed, fmt::format("the registry {} has no skill {}",
                                                               config->registry.value, skill)});
    auto target = service_target(skill, it->second, config->secrets_dir.value, config->insecure_http);
    if (!target) return report(err, target.error());
    ServiceClient client(service_http_options(config->ca_file.value, world.cancel), world.transport,
                         world.clock);
    const Style style = options.json || options.color == "never" ? Style{}
                        : options.color == "always"              ? Style{true, true}
                        : world.stdout_is_terminal               ? Style::for_fd(STDOUT_FILENO)
                                                                 : Style{};
    if (options.view == View::run) {
        auto record = client.run_record(*target, options.run_id);
        if (!record) return report(err, record.error());
        if (options.json) {
            out << *record << (record->empty() || record->back() != '\n' ? "\n" : "");
            return ExitCode::ok;
        }
        auto text = render_run(*record, style);
        if (!text) return report(err, text.error());
        out << *text;
        return ExitCode::ok;
    }
    RunsQuery query{options.runs_status, options.runs_since, options.runs_before, options.runs_limit};
    auto page = client.runs(*target, query);
    if (!page) return report(err, page.error());
    out << (options.json ? runs_json(skill, *page) : render_runs(skill, *page, style));
    return ExitCode::ok;
}

}  // namespace df::monitor
