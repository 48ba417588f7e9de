// Talking to Coolify: the shared session, starting a deployment (and the dedupe trap), waiting for it,
// waiting for health, and redeploying an earlier commit.
#include <algorithm>
#include <ostream>
#include <set>

#include <fmt/format.h>

#include "common/text.h"
#include "deployer/internal.h"

namespace df::deployer {

void Progress::line(const std::string& name, const std::string& text) {
    std::lock_guard lock(mutex_);
    if (pending_overwrite_) err_ << "\r\033[K";
    pending_overwrite_ = false;
    report_note(err_, name, text);
    err_ << std::flush;
}

void Progress::log_line(const std::string& name, const std::string& text) {
    if (!terminal_) return;
    std::lock_guard lock(mutex_);
    err_ << "\r\033[K  " << name << " | " << truncate_utf8(collapse_whitespace(text), 100) << std::flush;
    pending_overwrite_ = true;
}

namespace {

http::Options http_options(const DeployOptions& o, const Config& c) {
    http::Options h;
    h.secrets = {c.token.value};
    for (const auto& [k, v] : o.env) h.secrets.push_back(v);
    h.ca_file = c.ca_file.value;
    h.cancel = o.cancel;
    return h;
}

}  // namespace

Session::Session(const DeployOptions& opts, Config cfg, Progress& prog)
    : options(opts),
      config(std::move(cfg)),
      progress(prog),
      http(http_options(opts, config)),
      api(http, config.coolify_url.value, config.token.value) {}

Result<coolify::Version> Session::version() {
    std::lock_guard lock(mutex_);
    if (!version_) {
        auto v = api.version();
        if (!v) return v.error();
        version_ = *v;
    }
    return *version_;
}

Result<std::optional<coolify::Application>> Session::find_app(const std::string& app_name, bool refresh,
                                                              const std::string& prefer_uuid) {
    std::lock_guard lock(mutex_);
    if (!apps_ || refresh) {
        auto apps = api.list_applications();
        if (!apps) return apps.error();
        apps_ = std::move(*apps);
    }
    return pick_app(*apps_, app_name, prefer_uuid);
}

GitSettings Session::git() const {
    GitSettings g;
    g.remote = config.git_remote.value;
    g.cancel = options.cancel;
    return g;
}

bool Session::pause(std::chrono::milliseconds d) {
    return http.clock().sleep_for(d, options.cancel);
}

bool Session::pause_poll() {
    // Coolify's rate limit is per token: >= 1 s between polls. A loopback server (a local instance or the
    // test stand-in) may be polled faster.
    const bool loopback = http::is_loopback(config.coolify_url.value);
    // Coolify allows 200 requests a minute per token by default: N skills polling together stay under
    // ~120 a minute by spacing each one's polls N × 0.5 s apart.
    const auto floor = std::chrono::milliseconds(loopback ? 100 : std::max(1000, 500 * active_waits.load()));
    return pause(std::max(options.poll_interval, floor));
}

std::string log_tail(const coolify::Deployment& d, std::size_t lines) {
    if (!d.logs) return {};
    auto entries = coolify::parse_build_log(*d.logs);
    if (!entries) return {};
    std::vector<std::string> visible;
    for (const auto& e : *entries) {
        if (e.hidden) continue;
        for (auto l : split(e.output, '\n')) {
            if (!trim(l).empty()) visible.emplace_back(l);
        }
    }
    std::string out;
    for (std::size_t i = visible.size() > lines ? visible.size() - lines : 0; i < visible.size(); ++i) {
        out += "    " + visible[i] + "\n";
    }
    return out;
}

namespace {

Error interrupted() {
    return Error{ExitCode::interrupted, "interrupted"};
}

// The newest queued/in_progress deployment of the app, if the server can list them.
Result<std::optional<coolify::Deployment>> active_deployment(Session& s, const std::string& app_uuid) {
    auto v = s.version();
    if (!v) return v.error();
    if (!v->has_deployments_by_app()) return std::optional<coolify::Deployment>();
    auto page = s.api.list_deployments(app_uuid, 0, 10);
    if (!page) return page.error();
    for (const auto& d : page->deployments) {
        if (d.active()) return std::optional<coolify::Deployment>(d);
    }
    return std::optional<coolify::Deployment>();
}

bool is_sha(const std::string& s) {
    return s.size() == 40 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// Deployment uuids the registry's earlier attempts of skill `name` recorded.
std::set<std::string> recorded_deployments(const Session& s, const std::string& name) {
    std::set<std::string> known;
    auto reg = load_registry(s.config.registry.value);
    if (!reg) return known;
    if (auto it = reg->skills.find(name); it != reg->skills.end()) {
        for (const auto& rec : it->second.history) {
            if (!rec.deployment_uuid.empty()) known.insert(rec.deployment_uuid);
        }
    }
    return known;
}

// After a lost answer to POST /deploy (never re-sent): the deployment it started, from the app's list.
Result<std::string> find_started_deployment(Session& s, const std::string& name, const std::string& app_uuid,
                                            const std::string& commit, const Error& lost,
                                            bool* none_started) {
    auto v = s.version();
    if (!v) return lost;
    if (!v->has_deployments_by_app()) {
        return Error{lost.code, lost.message +
                                    "; this Coolify cannot list an app's deployments, so whether one "
                                    "started is unknown: look in Coolify before deploying again"};
    }
    s.progress.line(name, "the answer to the deploy request was lost; reading the app's deployments");
    auto page = s.api.list_deployments(app_uuid, 0, 10);
    if (!page) {
        return Error{lost.code, fmt::format("{}; whether a deployment started is unknown ({})", lost.message,
                                            page.error().message)};
    }
    auto found = adoptable_deployment(page->deployments, commit, recorded_deployments(s, name));
    if (!found) {
        if (none_started) *none_started = true;
        return Error{
            lost.code,
            lost.message + "; Coolify lists no deployment from it, so none started; run deploy again"};
    }
    s.progress.line(
        name, fmt::format("following deployment {}, which the lost request started", found->deployment_uuid));
    return found->deployment_uuid;
}

}  // namespace

Result<std::string> trigger_deploy(Session& s, const std::string& name, const std::string& app_uuid,
                                   const std::string& commit, Deadline deadline, bool* none_started) {
    for (int attempt = 0; attempt < 5; ++attempt) {
        auto ack =
            s.api.deploy(app_uuid, false);  // never force: a no-cache rebuild is not what --force means
        if (!ack) {
            if (!outcome_unknown(ack.error())) return ack.error();
            return find_started_deployment(s, name, app_uuid, commit, ack.error(), none_started);
        }
        if (!ack->already_queued) return ack->deployment_uuid;
        // The trap: the uuid in this answer was never stored. Adopt the deployment that is really there, as
        // long as it will build our commit (a queued one resolves the branch when it starts).
        auto active = active_deployment(s, app_uuid);
        if (!active) return active.error();
        if (*active &&
            ((*active)->status == "queued" || (*active)->commit == commit || !is_sha((*active)->commit))) {
            s.progress.line(name, fmt::format("a deployment was already queued; following it ({})",
                                              (*active)->deployment_uuid));
            return (*active)->deployment_uuid;
        }
        if (*active) {
            s.progress.line(name, fmt::format("waiting for the running deployment of {} to end first",
                                              (*active)->commit.substr(0, 12)));
            auto w = wait_deployment(s, name, app_uuid, (*active)->deployment_uuid, deadline);
            if (!w) return w.error();
        } else if (!s.pause_poll()) {
            return interrupted();
        }
        if (std::chrono::steady_clock::now() >= deadline) break;
    }
    return Error{ExitCode::timed_out,
                 "Coolify kept answering \"Deployment already queued for this commit.\""};
}

Result<WaitResult> wait_deployment(Session& s, const std::string& name, const std::string& app_uuid,
                                   std::string deployment_uuid, Deadline deadline) {
    ++s.active_waits;
    struct Done {
        std::atomic<int>& n;
        ~Done() { --n; }
    } done{s.active_waits};
    WaitResult result;
    std::string last_status, last_log;
    bool adopted = false;
    while (true) {
        auto d = s.api.get_deployment(deployment_uuid);
        if (!d) return d.error();
        if (!*d) {
            // A uuid the server never stored (older servers' skip answer): follow the real one once.
            auto active =
                adopted ? Result<std::optional<coolify::Deployment>>(std::optional<coolify::Deployment>())
                        : active_deployment(s, app_uuid);
            if (!active) return active.error();
            if (!*active) {
                return Error{ExitCode::protocol,
                             fmt::format("Coolify does not know deployment {} and shows no active deployment",
                                         deployment_uuid)};
            }
            deployment_uuid = (*active)->deployment_uuid;
            adopted = true;
            continue;
        }
        result.deployment = **d;
        const auto& dep = result.deployment;
        if (dep.status != last_status) {
            s.progress.line(name, fmt::format("deployment {} {}", dep.deployment_uuid, dep.status));
            last_status = dep.status;
        }
        if (s.progress.terminal() && dep.logs) {
            const std::string tail = log_tail(dep, 1);
            if (!tail.empty() && tail != last_log) s.progress.log_line(name, std::string(trim(tail)));
            last_log = tail;
        }
        if (dep.status == "finished") return result.end = WaitEnd::finished, result;
        if (dep.status == "failed") return result.end = WaitEnd::failed, result;
        if (dep.status == "cancelled-by-user") return result.end = WaitEnd::cancelled, result;
        if (std::chrono::steady_clock::now() >= deadline) return result.end = WaitEnd::timed_out, result;
        if (!s.pause_poll()) {
            return result.end = WaitEnd::interrupted, result;
        }
    }
}

Result<bool> wait_healthy(Session& s, const std::string& name, const std::string& app_uuid,
                          Deadline deadline) {
    std::string last;
    while (true) {
        auto app = s.api.get_application(app_uuid);
        if (!app) return app.error();
        if (!*app) return Error{ExitCode::failed, "the application disappeared from Coolify"};
        const std::string status = (*app)->status;
        if (coolify::AppState::parse(status).healthy()) return true;
        if (status != last) s.progress.line(name, "app status " + status);
        last = status;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        if (!s.pause_poll()) return interrupted();
    }
}

Result<WaitResult> redeploy_commit(Session& s, const std::string& name, const std::string& app_uuid,
                                   const std::string& commit, Deadline deadline) {
    auto v = s.version();
    if (!v) return v.error();
    std::string deployment;
    if (v->has_rollback_endpoint()) {
        auto ack = s.api.rollback(app_uuid, commit);
        if (!ack) return ack.error();
        if (ack->already_queued) {
            auto active = active_deployment(s, app_uuid);
            if (!active) return active.error();
            if (!*active)
                return Error{ExitCode::protocol, "Coolify says a rollback is queued but lists none"};
            deployment = (*active)->deployment_uuid;
        } else {
            deployment = ack->deployment_uuid;
        }
    } else {
        // Older servers: pin the commit and deploy; the next deploy sets git_commit_sha back to HEAD.
        json::Object pin;
        pin.set("git_commit_sha", commit);
        if (auto p = s.api.update_application(app_uuid, pin); !p) return p.error();
        auto id = trigger_deploy(s, name, app_uuid, commit, deadline);
        if (!id) return id.error();
        deployment = *id;
    }
    return wait_deployment(s, name, app_uuid, deployment, deadline);
}

}  // namespace df::deployer
