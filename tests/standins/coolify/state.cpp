// The stand-in's model: applications, environment variables, deployments and the builder.
#include "tests/standins/coolify/state.h"

#include <algorithm>
#include <filesystem>
#include <random>
#include <regex>
#include <sys/stat.h>

#include <fmt/format.h>

#include "common/files.h"
#include "common/registry.h"
#include "common/text.h"
#include "deployer/process.h"

namespace standin {

std::string App::str(const char* key) const {
    if (const auto* v = fields.find(key)) {
        if (const auto* s = std::get_if<std::string>(v)) return *s;
    }
    return {};
}

namespace {
df::Result<df::ProcessResult> run(std::vector<std::string> argv) {
    df::ProcessSpec spec;
    spec.argv = std::move(argv);
    spec.timeout = std::chrono::seconds(60);
    return df::run_process(spec);
}
}  // namespace

std::string new_uuid() {
    static std::mutex m;
    static std::mt19937_64 rng{std::random_device{}()};
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::lock_guard lock(m);
    std::string out;
    for (int i = 0; i < 24; ++i) out += alphabet[rng() % 36];
    return out;
}

std::string now_text() {
    const auto t = df::utc_timestamp();
    return t.substr(0, t.size() - 1) + ".000000Z";
}

State::State(Options options) : options_(std::move(options)) {
    version_ = df::coolify::Version::parse(options_.version).value_or(df::coolify::Version::of(4, 3, 11));
    scheduler_ = std::thread([this] { schedule_loop(); });
}

State::~State() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    scheduler_.join();
    for (auto& t : builders_) t.join();
}

App* State::app(const std::string& uuid) {
    for (auto& a : apps_) {
        if (a.uuid == uuid) return &a;
    }
    return nullptr;
}

App* State::app_by_name_or_uuid(const std::string& key) {
    for (auto& a : apps_) {
        if (a.uuid == key || a.str("name") == key) return &a;
    }
    return nullptr;
}

Deployment* State::deployment(const std::string& uuid) {
    for (auto& d : deployments_) {
        if (d.uuid == uuid) return &d;
    }
    return nullptr;
}

void State::log(Deployment& d, std::string output, bool hidden, std::string command, std::string type) {
    df::coolify::LogEntry e;
    e.command = std::move(command);
    e.output = std::move(output);
    e.type = std::move(type);
    e.timestamp = now_text();
    e.hidden = hidden;
    e.batch = 1;
    // Like the real server, the very first entry carries no `order`; readers must sort without it.
    e.order = d.logs.empty() ? 0 : d.next_order++;
    d.logs.push_back(std::move(e));
    d.updated_at = now_text();
}

Deployment& State::queue(App& a, std::string commit, bool rollback, bool force) {
    Deployment d;
    d.uuid = new_uuid();
    d.app_uuid = a.uuid;
    d.app_name = a.str("name");
    d.commit = std::move(commit);
    d.rollback = rollback;
    d.force_rebuild = force;
    d.created_at = d.updated_at = now_text();
    deployments_.push_back(std::move(d));
    wake_.notify_all();
    return deployments_.back();
}

int State::active_count() const {
    return static_cast<int>(std::count_if(deployments_.begin(), deployments_.end(),
                                          [](const Deployment& d) { return d.status == "queued"; }));
}

std::optional<std::string> State::duplicate_of(const App& a) const {
    const std::string commit = a.str("git_commit_sha").empty() ? "HEAD" : a.str("git_commit_sha");
    for (const auto& d : deployments_) {
        if (d.app_uuid == a.uuid && (d.status == "queued" || d.status == "in_progress") &&
            d.commit == commit) {
            return d.uuid;
        }
    }
    return std::nullopt;
}

void State::schedule_loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        for (auto& d : deployments_) {
            if (d.status != "queued") continue;
            if (Clock::now() - d.queued_at < std::chrono::duration<double>(options_.queue_delay_seconds))
                continue;
            const bool busy = std::any_of(deployments_.begin(), deployments_.end(), [&](const Deployment& o) {
                return o.app_uuid == d.app_uuid && o.status == "in_progress";
            });
            if (busy) continue;
            d.status = "in_progress";
            d.updated_at = now_text();
            builders_.emplace_back([this, id = d.uuid] { build(id); });
        }
        for (auto& a : apps_) {
            if (a.healthy_at && Clock::now() >= *a.healthy_at) {
                a.status = "running:healthy";
                a.healthy_at.reset();
            }
        }
        wake_.wait_for(lock, std::chrono::milliseconds(50));
    }
}

// Runs one build outside the lock, taking it only to read the app and write the deployment. Its steps
// (read the app under the lock, clone and check the Dockerfile outside it, write the result under it) are
// kept together so the lock's scope is visible in one place; that makes it just over 80 lines.
void State::build(const std::string& id) {
    std::string repo_url, branch, pinned, base_dir, dockerfile, name;
    double seconds = 0;
    {
        std::lock_guard lock(mutex_);
        Deployment* d = deployment(id);
        App* a = d ? app(d->app_uuid) : nullptr;
        if (!a) return;
        name = a->str("name");
        repo_url = a->str("git_repository");
        branch = a->str("git_branch");
        pinned = d->commit != "HEAD" ? d->commit
                                     : (a->str("git_commit_sha") == "HEAD" ? "" : a->str("git_commit_sha"));
        base_dir = a->str("base_directory").empty() ? "/" : a->str("base_directory");
        dockerfile = a->str("dockerfile_location").empty() ? "/Dockerfile" : a->str("dockerfile_location");
        seconds = options_.build_seconds;
        log(*d, fmt::format("Starting deployment of {} to localhost.", name));
        log(*d, "Preparing container with helper image: ghcr.io/coollabsio/coolify-helper:1.0.12.");
    }
    auto fail = [&](const std::string& why) { finish(id, false, why); };

    const auto path = options_.repos.find(repo_url);
    if (path == options_.repos.end()) return fail(fmt::format("fatal: repository '{}' not found", repo_url));
    // A real clone of the branch, as Coolify's helper does (then the pinned commit, when there is one).
    const std::string dir =
        fmt::format("{}/standin-build-{}", std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp", id);
    auto clone = run({"git", "clone", "--quiet", "--branch", branch, path->second, dir});
    if (!clone || clone->exit_code != 0) {
        return fail(fmt::format("fatal: Remote branch {} not found in upstream origin", branch));
    }
    auto head = run({"git", "-C", dir, "rev-parse", "HEAD"});
    std::string commit = pinned.empty() && head && head->out.size() >= 40 ? head->out.substr(0, 40) : pinned;
    auto checkout = pinned.empty() ? head : run({"git", "-C", dir, "checkout", "--quiet", pinned});
    {
        std::lock_guard lock(mutex_);
        Deployment* d = deployment(id);
        if (!d) return;
        log(*d, head ? head->out : "", true, fmt::format("git ls-remote {} refs/heads/{}", repo_url, branch));
        d->commit = commit;
        log(*d,
            fmt::format("Importing {}:{} (commit sha {}) to /artifacts/{}.", repo_url, branch, commit, id));
    }
    const std::string df_path = dir + (base_dir == "/" ? "" : base_dir) + dockerfile;
    struct stat st {};
    const bool has_dockerfile = ::stat(df_path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
    std::string first_line;
    if (has_dockerfile) {
        if (auto text = df::read_file(df_path, 1 << 20))
            first_line = std::string(df::trim(text->substr(0, text->find('\n'))));
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
    if (!checkout || checkout->exit_code != 0)
        return fail(fmt::format("fatal: reference is not a tree: {}", commit));
    if (!has_dockerfile)
        return fail(fmt::format("Dockerfile not found at {} in the repository.", dockerfile));

    // The "build": progress lines spread over the configured build time; a cancel ends it early.
    const int steps = 4;
    for (int i = 1; i <= steps; ++i) {
        std::this_thread::sleep_for(std::chrono::duration<double>(seconds / steps));
        std::lock_guard lock(mutex_);
        Deployment* d = deployment(id);
        if (!d || d->status != "in_progress") return;
        log(*d, i == 1 ? fmt::format("#1 [1/{}] {}", steps, first_line)
                       : fmt::format("#{} [{}/{}] DONE {:.1f}s", i, i, steps, seconds / steps));
    }
    bool fail_build = false, unhealthy = false;
    {
        std::lock_guard lock(mutex_);
        Deployment* d = deployment(id);
        App* a = d ? app(d->app_uuid) : nullptr;
        if (!a) return;
        fail_build = a->fail_builds || a->fail_next_builds > 0;
        if (a->fail_next_builds > 0) --a->fail_next_builds;
        unhealthy = a->unhealthy;
    }
    if (fail_build)
        return fail(
            "Oops something is not okay, are you okay? 😢\nerror: failed to solve: process \"/bin/sh -c "
            "false\" did not complete successfully: exit code: 1");
    if (unhealthy) return fail("New container is not healthy, rolling back to the old container.");
    finish(id, true, "New container started.");
}

void State::finish(const std::string& id, bool success, const std::string& last_line) {
    std::lock_guard lock(mutex_);
    Deployment* d = deployment(id);
    if (!d || d->status != "in_progress") return;
    log(*d, last_line, false, "", success ? "stdout" : "stderr");
    d->status = success ? "finished" : "failed";
    d->finished_at = d->updated_at = now_text();
    App* a = app(d->app_uuid);
    if (!a || !success) return;
    a->running_commit = d->commit;
    if (options_.status_lag_seconds > 0) {
        a->status = "starting:unknown";
        a->healthy_at = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(options_.status_lag_seconds));
    } else {
        a->status = "running:healthy";
    }
    wake_.notify_all();
}

}  // namespace standin
