#include "monitor/monitor.h"

#include <ctime>
#include <ostream>
#include <unistd.h>

#include <fmt/format.h>

#include "monitor/check.h"
#include "monitor/evidence_view.h"
#include "monitor/listing.h"
#include "monitor/registry_view.h"
#include "monitor/service_views.h"
#include "monitor/session.h"
#include "monitor/watch.h"

namespace df::monitor {

namespace {

std::int64_t wall_now() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

Style style_for(const Options& options, const World& world) {
    if (options.json || options.color == "never") return Style{};
    if (options.color == "always") return Style{true, true};
    if (!world.stdout_is_terminal) return Style{};
    return Style::for_fd(STDOUT_FILENO);
}

ExitCode report(const Error& e, std::ostream& err) {
    return df::report(err, e);
}

ExitCode registry_view(const Options& options, World& world, std::ostream& out, std::ostream& err) {
    auto path = registry_path_for(options, world.env);
    if (!path) return report(path.error(), err);
    auto registry = load_registry(*path);
    if (!registry) return report(registry.error(), err);
    out << (options.json ? registry_json(*registry, *path)
                         : render_registry(*registry, *path, style_for(options, world)));
    return ExitCode::ok;
}

// One listing frame, as text; a corrupt registry is shown in the frame and reported by the caller.
Result<std::string> listing_frame(Session& session, const Options& options, const Style& style, bool pretty,
                                  std::optional<Error>& registry_error) {
    auto listing = session.listing(registry_error);
    if (!listing) return listing.error();
    session.attach_last_runs(*listing);
    if (options.deployments) {
        if (auto s = session.attach_latest_deployments(*listing); !s) return s.error();
    }
    return options.json ? listing_json(*listing, pretty) : render_listing(*listing, style);
}

ExitCode listing_view(Session& session, const Options& options, World& world, std::ostream& out,
                      std::ostream& err) {
    const Style style = style_for(options, world);
    std::optional<Error> registry_error;
    if (options.watch) {
        WatchSettings settings;
        settings.interval_seconds = *options.watch;
        settings.requests_per_refresh = 1;
        settings.in_place = world.stdout_is_terminal && !options.json;
        settings.header = !options.json;
        return run_watch(
            settings, *world.clock, world.cancel,
            [&] { return listing_frame(session, options, style, false, registry_error); }, out, err);
    }
    auto frame = listing_frame(session, options, style, true, registry_error);
    if (!frame) return report(frame.error(), err);
    out << *frame;
    return registry_error ? report(*registry_error, err) : ExitCode::ok;
}

ExitCode session_view(Session& session, const Options& options, World& world, std::ostream& out,
                      std::ostream& err) {
    const Style style = style_for(options, world);
    switch (options.view) {
        case View::detail: {
            auto d = session.detail(options.name);
            if (!d) return report(d.error(), err);
            out << (options.json ? detail_json(*d) : render_detail(*d, style));
            return ExitCode::ok;
        }
        case View::logs: {
            if (options.follow) {
                auto first = session.runtime_logs(options.name, 1);
                if (!first) return report(first.error(), err);
                if (first->running) return session.follow(options, out, err);
                out << render_runtime_logs(*first, style, wall_now());
                return ExitCode::ok;
            }
            auto logs = session.runtime_logs(options.name, options.lines);
            if (!logs) return report(logs.error(), err);
            out << (options.json ? runtime_logs_json(*logs, wall_now())
                                 : render_runtime_logs(*logs, style, wall_now()));
            return ExitCode::ok;
        }
        case View::deployment: {
            auto log = session.build_log(options.name, options.deployment_uuid);
            if (!log) return report(log.error(), err);
            out << (options.json ? build_log_json(*log, wall_now())
                                 : render_build_log(*log, style, wall_now()));
            return ExitCode::ok;
        }
        default:
            return listing_view(session, options, world, out, err);
    }
}

}  // namespace

ExitCode run_monitor(const Options& options, World& world, std::ostream& out, std::ostream& err) {
    if (options.view == View::registry) return registry_view(options, world, out, err);
    if (options.view == View::check) return check_view(options, world, out, err);
    if (options.view == View::runs || options.view == View::run) return runs_view(options, world, out, err);
    if (options.view == View::diagnose) return diagnose_view(options, world, out, err);
    if (options.view == View::evidence) {
        auto path = registry_path_for(options, world.env);
        if (!path) return report(path.error(), err);
        return evidence_view(options, *path, out, err);
    }
    auto session = Session::open(options, world);
    if (!session) return report(session.error(), err);
    return session_view(**session, options, world, out, err);
}

}  // namespace df::monitor
