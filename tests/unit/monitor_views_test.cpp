// monitor's views built from Coolify and registry data: the join, the detail page, build and runtime logs,
// the registry view, and the pacing of per-app requests.
#include <atomic>
#include <set>
#include <thread>

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "monitor/check.h"
#include "monitor/detail.h"
#include "monitor/listing.h"
#include "monitor/logs_view.h"
#include "monitor/pacer.h"
#include "monitor/registry_view.h"

using namespace df::monitor;
using df::coolify::Application;
using df::coolify::Deployment;

namespace {

Application app(std::string name, std::string status, std::string fqdn = "") {
    Application a;
    a.uuid = "uuid-" + name;
    a.name = std::move(name);
    a.status = std::move(status);
    a.fqdn = std::move(fqdn);
    return a;
}

df::SkillRecord record(std::string app_name, std::string commit, std::string status) {
    df::SkillRecord r;
    r.app_name = std::move(app_name);
    r.commit = commit;
    r.status = status;
    r.branch = "df/x";
    df::DeployRecord d;
    d.id = "1";
    d.commit = commit;
    d.status = status;
    d.started_at = "2026-08-22T10:00:00Z";
    d.finished_at = "2026-08-22T10:01:30Z";
    r.history.push_back(d);
    return r;
}

bool parses(const std::string& json) {
    rapidjson::Document doc;
    doc.Parse(json.c_str());
    return !doc.HasParseError() && doc.IsObject();
}

}  // namespace

TEST_CASE("monitor listing: df-* apps joined with the registry, both kinds of stray flagged", "[monitor]") {
    df::Registry reg;
    reg.skills["alpha"] = record("df-alpha", "aaaaaaaaaaaa", "finished");
    reg.skills["gone"] = record("df-gone", "bbbbbbbbbbbb", "finished");
    const std::vector<Application> apps{app("df-alpha", "running:healthy", "https://a.example.com,https://b"),
                                        app("df-stray", "exited:unhealthy"),
                                        app("postgres", "running:healthy")};
    const Listing l = build_listing(apps, reg);
    REQUIRE(l.apps.size() == 3);  // postgres is not ours
    CHECK(l.apps[0].skill == "alpha");
    CHECK(l.apps[0].registered);
    CHECK(l.apps[0].in_coolify);
    CHECK(l.apps[0].domain == "https://a.example.com");
    CHECK(l.apps[0].last.commit == "aaaaaaaaaaaa");
    CHECK(l.apps[0].last.at == "2026-08-22T10:01:30Z");
    CHECK(l.apps[1].skill == "gone");
    CHECK_FALSE(l.apps[1].in_coolify);
    CHECK(l.apps[1].health == Health::missing);
    CHECK(l.apps[2].skill == "stray");
    CHECK_FALSE(l.apps[2].registered);

    const std::string text = render_listing(l, Style{});
    CHECK(text.find("missing in Coolify") != std::string::npos);
    CHECK(text.find("not in registry") != std::string::npos);
    CHECK(text.find("aaaaaaa ") != std::string::npos);  // commits shortened to 7
    CHECK(
        text.find("2 apps: 1 healthy, 1 not healthy; 1 in the registry but missing in Coolify; 1 not in the "
                  "registry") != std::string::npos);
    const std::string json = listing_json(l);
    CHECK(parses(json));
    CHECK(json.find("\"in_coolify\": false") != std::string::npos);
    CHECK(evaluate_check(l).code == df::ExitCode::failed);
}

TEST_CASE("monitor listing: nothing deployed says so", "[monitor]") {
    const Listing l = build_listing({}, df::Registry{});
    CHECK(render_listing(l, Style{}) == "No df-* apps in Coolify and none in the registry.\n");
    CHECK(parses(listing_json(l)));
}

TEST_CASE("monitor detail: durations of finished and running deployments", "[monitor]") {
    Deployment d;
    d.created_at = "2026-08-22T10:00:00.000000Z";
    d.finished_at = "2026-08-22T10:02:05.000000Z";
    d.status = "finished";
    CHECK(deployment_duration(d, 0) == "2m 05s");
    d.finished_at.clear();
    d.status = "in_progress";
    CHECK(deployment_duration(d, 1787392800 + 42) == "running 42s");
    CHECK(app_name_for("x") == "df-x");
    CHECK(app_name_for("df-x") == "df-x");
}

TEST_CASE("monitor detail: status, settings, deployments, history and the health probe", "[monitor]") {
    Detail d;
    d.skill = "alpha";
    d.app_name = "df-alpha";
    d.app = app("df-alpha", "running:unhealthy", "https://alpha.example.com");
    d.app->health_check_enabled = true;
    d.app->health_check_path = "/hooks/health";
    Deployment dep;
    dep.deployment_uuid = "dep1";
    dep.status = "failed";
    dep.commit = "0123456789abcdef";
    dep.created_at = "2026-08-22T10:00:00Z";
    dep.finished_at = "2026-08-22T10:00:45Z";
    d.deployments.count = 7;
    d.deployments.deployments.push_back(dep);
    d.record = record("df-alpha", "0123456789ab", "failed");
    d.probe = Probe{"https://alpha.example.com/hooks/health", 503, "", 12};
    const std::string text = render_detail(d, Style{});
    CHECK(text.find("status         running:unhealthy") != std::string::npos);
    CHECK(text.find("health check   on /hooks/health") != std::string::npos);
    CHECK(text.find("health hook    HTTP 503 in 12 ms") != std::string::npos);
    CHECK(text.find("Deployments (1 of 7, newest first)") != std::string::npos);
    CHECK(text.find("45s") != std::string::npos);
    CHECK(text.find("Registry history (1 of 1") != std::string::npos);
    const std::string json = detail_json(d);
    CHECK(parses(json));
    CHECK(json.find("\"duration_seconds\": 45") != std::string::npos);
    CHECK(json.find("\"ok\": false") != std::string::npos);

    Detail missing;
    missing.skill = missing.app_name = "df-gone";
    missing.record = record("df-gone", "c", "finished");
    CHECK(render_detail(missing, Style{}).find("missing in Coolify") != std::string::npos);
    CHECK(parses(detail_json(missing)));
}

TEST_CASE("monitor build log: Coolify's order, hidden entries skipped, stderr kept", "[monitor]") {
    // Out of order, one hidden, the first without an `order` (Coolify writes it that way).
    const std::string raw = R"([
      {"output":"second","type":"stdout","hidden":false,"batch":1,"order":2},
      {"output":"secret bookkeeping","type":"stdout","hidden":true,"batch":1,"order":3},
      {"output":"first","type":"stdout","hidden":false,"batch":1},
      {"output":"boom\nline two","type":"stderr","hidden":false,"batch":2,"order":1}
    ])";
    auto entries = df::coolify::parse_build_log(raw);
    REQUIRE(entries);
    BuildLog log{"df-x", {}, visible_entries(*entries)};
    log.deployment.deployment_uuid = "dep9";
    log.deployment.status = "failed";
    const std::string text = render_build_log(log, Style{}, 0);
    CHECK(text.find("Deployment dep9 of df-x: failed") == 0);
    const auto first = text.find("first\n"), second = text.find("second\n"),
               boom = text.find("boom\nline two\n");
    CHECK(first < second);
    CHECK(second < boom);
    CHECK(boom != std::string::npos);
    CHECK(text.find("bookkeeping") == std::string::npos);
    CHECK(parses(build_log_json(log, 0)));
}

TEST_CASE("monitor runtime logs: a stopped app says so and shows the build log", "[monitor]") {
    RuntimeLogs running{"df-x", "u", "running:healthy", true, {"a", "b"}, std::nullopt};
    CHECK(render_runtime_logs(running, Style{}, 0) == "a\nb\n");
    RuntimeLogs stopped{"df-x", "u", "exited:unhealthy", false, {}, BuildLog{"df-x", {}, {}}};
    stopped.stopped_build_log->deployment.deployment_uuid = "d1";
    const std::string text = render_runtime_logs(stopped, Style{}, 0);
    CHECK(text.find("df-x is exited:unhealthy: a stopped app has no runtime logs.") == 0);
    CHECK(text.find("Deployment d1 of df-x") != std::string::npos);
    CHECK(parses(runtime_logs_json(stopped, 0)));
}

TEST_CASE("monitor registry view: a table and a JSON document, no network", "[monitor]") {
    df::Registry reg;
    reg.skills["alpha"] = record("df-alpha", "0123456789ab", "finished");
    const std::string text = render_registry(reg, "/tmp/r.json", Style{});
    CHECK(text.find("alpha  df-alpha  finished  0123456") != std::string::npos);
    CHECK(text.find("1 skills in /tmp/r.json") != std::string::npos);
    CHECK(parses(registry_json(reg, "/tmp/r.json")));
    CHECK(render_registry(df::Registry{}, "/p", Style{}) == "The registry /p records no skills.\n");
}

namespace {
class StepClock final : public df::http::Clock {
  public:
    std::mutex m;
    std::chrono::steady_clock::time_point t{};
    std::chrono::steady_clock::time_point now() override {
        std::lock_guard lock(m);
        return t;
    }
    bool sleep_for(df::http::Millis d, const std::atomic<bool>*) override {
        std::lock_guard lock(m);
        t = std::max(t, t + d);
        return true;
    }
};
}  // namespace

TEST_CASE("monitor pacer: per-app requests are spaced to the budget and all run", "[monitor]") {
    StepClock clock;
    Pacer pacer(clock, 120);  // one start every 500 ms
    std::mutex m;
    std::set<std::size_t> done;
    auto s = run_paced(20, 4, pacer, nullptr, [&](std::size_t i) -> df::Status {
        std::lock_guard lock(m);
        done.insert(i);
        return df::ok();
    });
    CHECK(s);
    CHECK(done.size() == 20);
    // 20 starts 500 ms apart: the fake clock has advanced at least 19 spacings.
    CHECK(clock.now() - std::chrono::steady_clock::time_point{} >= std::chrono::milliseconds(19 * 500));

    auto failing = run_paced(10, 2, pacer, nullptr, [](std::size_t i) -> df::Status {
        if (i == 3) return df::Error{df::ExitCode::unavailable, "down"};
        return df::ok();
    });
    REQUIRE_FALSE(failing);
    CHECK(failing.error().code == df::ExitCode::unavailable);
}

TEST_CASE("monitor listing: a skill removed with deploy --remove is not missing", "[monitor]") {
    df::Registry reg;
    reg.skills["gone"] = record("df-gone", "bbbbbbbbbbbb", "removed");
    reg.skills["gone"].status = "removed";
    reg.skills["leaving"] = record("df-leaving", "cccccccccccc", "removed");
    reg.skills["leaving"].status = "removed";
    // Coolify still lists an app whose deletion is queued: it keeps a row, marked removed.
    const Listing l = build_listing({app("df-leaving", "exited:unhealthy")}, reg);
    REQUIRE(l.apps.size() == 1);
    CHECK(l.apps[0].app == "df-leaving");
    CHECK(l.apps[0].removed);
}
