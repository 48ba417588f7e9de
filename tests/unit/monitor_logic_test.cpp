// monitor's decisions: the --check verdict, follow-mode line diffing, the --watch loop and flag parsing.
#include <sstream>
#include <vector>

#include <catch2/catch.hpp>

#include "monitor/check.h"
#include "monitor/follow.h"
#include "monitor/options.h"
#include "monitor/watch.h"

using namespace df::monitor;
using df::Error;
using df::ExitCode;
using df::Result;

namespace {

AppRow row(std::string skill, std::string status, bool in_coolify = true, bool registered = true) {
    AppRow r;
    r.skill = skill;
    r.app = "df-" + skill;
    r.status = status;
    r.health = in_coolify ? classify_status(status) : Health::missing;
    r.in_coolify = in_coolify;
    r.registered = registered;
    return r;
}

// A clock that advances only when slept on, and remembers the sleeps.
class FakeClock final : public df::http::Clock {
  public:
    std::chrono::steady_clock::time_point t{};
    std::vector<std::int64_t> sleeps;
    std::chrono::steady_clock::time_point now() override { return t; }
    bool sleep_for(df::http::Millis d, const std::atomic<bool>* cancel) override {
        sleeps.push_back(d.count());
        t += d;
        return !(cancel && cancel->load());
    }
};

Result<Options> parse(std::vector<const char*> args) {
    args.insert(args.begin(), "monitor");
    return parse_options(static_cast<int>(args.size()), args.data());
}

}  // namespace

TEST_CASE("monitor check: all healthy is OK with exit 0", "[monitor]") {
    Listing l{{row("a", "running:healthy"), row("b", "running:unknown")}, {}};
    const auto r = evaluate_check(l);
    CHECK(r.code == ExitCode::ok);
    CHECK(r.summary == "OK: 2 of 2 skills healthy");
    CHECK(evaluate_check(Listing{}).summary == "OK: no df-* apps deployed");
}

TEST_CASE("monitor check: unhealthy, exited and missing apps fail with exit 1 and are named", "[monitor]") {
    Listing l{{row("a", "running:healthy"), row("b", "exited:unhealthy"), row("c", "", false),
               row("d", "running:unhealthy", true, false)},
              {}};
    const auto r = evaluate_check(l);
    CHECK(r.code == ExitCode::failed);
    CHECK(r.healthy == 1);
    CHECK(r.summary ==
          "FAIL: 3 of 4 skills not healthy: df-b (exited:unhealthy), df-c (missing in Coolify), "
          "df-d (running:unhealthy)");
    CHECK(r.summary.find('\n') == std::string::npos);
}

TEST_CASE("monitor check: a long list of problems stays one readable line", "[monitor]") {
    Listing l;
    for (int i = 0; i < 8; ++i) l.apps.push_back(row("s" + std::to_string(i), "exited:unhealthy"));
    const auto r = evaluate_check(l);
    CHECK(r.summary.find("and 3 more") != std::string::npos);
    CHECK(r.problems.size() == 8);
}

TEST_CASE("monitor check: errors keep their own exit codes", "[monitor]") {
    CHECK(check_from_error(Error{ExitCode::unavailable, "cannot reach"}).summary ==
          "UNREACHABLE: cannot reach");
    CHECK(check_from_error(Error{ExitCode::unavailable, "x"}).code == ExitCode::unavailable);
    CHECK(check_from_error(Error{ExitCode::no_permission, "401"}).summary == "DENIED: 401");
    CHECK(check_from_error(Error{ExitCode::config, "set COOLIFY_URL"}).code == ExitCode::config);
    const auto json = check_json(check_from_error(Error{ExitCode::unavailable, "down"}));
    CHECK(json.find("\"status\": \"unavailable\"") != std::string::npos);
    CHECK(json.find("\"exit_code\": 69") != std::string::npos);
}

TEST_CASE("monitor follow: only lines after the shared part are new", "[monitor]") {
    const std::vector<std::string> a{"1", "2", "3"};
    CHECK(new_lines({}, a) == a);
    CHECK(new_lines(a, {"2", "3", "4", "5"}) == std::vector<std::string>{"4", "5"});
    CHECK(new_lines(a, a).empty());
    CHECK(new_lines(a, {"9", "8"}) == std::vector<std::string>{"9", "8"});
    // Repeated lines: the longest overlap wins, so a repeated "x" is printed once more, not dropped.
    CHECK(new_lines({"x", "x"}, {"x", "x", "x"}) == std::vector<std::string>{"x"});
    CHECK(split_lines("a\r\nb\n\nc") == std::vector<std::string>{"a", "b", "", "c"});
    CHECK(split_lines("").empty());
}

TEST_CASE("monitor watch: frames are redrawn at the interval, within the request budget", "[monitor]") {
    FakeClock clock;
    int calls = 0;
    std::ostringstream out, err;
    WatchSettings s;
    s.interval_seconds = 5;
    s.max_frames = 3;
    const auto code = run_watch(
        s, clock, nullptr,
        [&]() -> df::Result<std::string> { return "frame " + std::to_string(++calls) + "\n"; }, out, err);
    CHECK(code == ExitCode::ok);
    CHECK(calls == 3);
    CHECK(clock.sleeps == std::vector<std::int64_t>{5000, 5000});
    CHECK(out.str().find("frame 3") != std::string::npos);
    CHECK(out.str().find("\x1b[2J") == std::string::npos);  // not a terminal: frames follow each other

    s.in_place = true;
    s.max_frames = 1;
    std::ostringstream tty;
    (void)run_watch(
        s, clock, nullptr, [] { return df::Result<std::string>(std::string("x\n")); }, tty, err);
    CHECK(tty.str().rfind("\x1b[H\x1b[2J", 0) == 0);

    WatchSettings costly;
    costly.interval_seconds = 1;
    costly.requests_per_refresh = 30;
    CHECK(effective_interval(costly) == 30);  // 30 requests/frame at 60/min → every 30 s
}

TEST_CASE("monitor watch: transient errors are shown and the loop goes on; auth errors end it", "[monitor]") {
    FakeClock clock;
    std::ostringstream out, err;
    WatchSettings s;
    s.max_frames = 2;
    int calls = 0;
    auto flaky = [&]() -> df::Result<std::string> {
        if (++calls == 1) return Error{ExitCode::unavailable, "Coolify is down"};
        return std::string("back\n");
    };
    CHECK(run_watch(s, clock, nullptr, flaky, out, err) == ExitCode::ok);
    CHECK(out.str().find("Coolify is down") != std::string::npos);
    CHECK(out.str().find("back") != std::string::npos);
    auto denied = []() -> df::Result<std::string> { return Error{ExitCode::no_permission, "401"}; };
    CHECK(run_watch(s, clock, nullptr, denied, out, err) == ExitCode::no_permission);
}

TEST_CASE("monitor options: views and their arguments", "[monitor]") {
    CHECK(parse({})->view == View::listing);
    CHECK(parse({"x"})->view == View::detail);
    auto logs = parse({"x", "--logs", "--lines", "5", "-f"});
    REQUIRE(logs);
    CHECK(logs->view == View::logs);
    CHECK(logs->lines == 5);
    CHECK(logs->follow);
    auto dep = parse({"x", "--deployment", "abc123"});
    REQUIRE(dep);
    CHECK(dep->view == View::deployment);
    CHECK(dep->deployment_uuid == "abc123");
    CHECK(parse({"x", "--deployment=abc"})->deployment_uuid == "abc");
    CHECK(parse({"x", "--deployment"})->deployment_uuid.empty());
    CHECK(parse({"--watch", "5"})->watch == 5);
    CHECK(parse({"--watch"})->watch == 10);
    CHECK(parse({"--registry"})->view == View::registry);
    CHECK(parse({"--check", "--json"})->json);
}

TEST_CASE("monitor options: contradictions are usage errors", "[monitor]") {
    for (auto args : std::vector<std::vector<const char*>>{{"--logs"},
                                                           {"x", "--logs", "--check"},
                                                           {"--check", "x"},
                                                           {"--follow"},
                                                           {"x", "y"},
                                                           {"x", "--logs", "--lines", "0"},
                                                           {"--watch=soon"},
                                                           {"--check", "--watch"},
                                                           {"--bogus"},
                                                           {"--color", "sometimes"}}) {
        const auto r = parse(args);
        CAPTURE(args);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ExitCode::usage);
    }
}

TEST_CASE("monitor options: --registry FILE names the file, as in deploy; earlier spellings still work",
          "[monitor]") {
    auto file = parse({"--registry", "/r.json"});
    REQUIRE(file);
    CHECK(file->view == View::listing);
    CHECK(file->registry_path == "/r.json");
    CHECK(parse({"--registry=/r.json", "--check"})->registry_path == "/r.json");
    auto offline = parse({"--registry", "/r.json", "--offline", "--json"});
    REQUIRE(offline);
    CHECK(offline->view == View::registry);
    CHECK(offline->registry_path == "/r.json");
    // PRODUCT.md's bare `monitor --registry` is the offline view; docs' --registry-file FILE is the file.
    CHECK(parse({"--registry", "--json"})->view == View::registry);
    CHECK(parse({"--registry-file", "/old.json"})->registry_path == "/old.json");
    CHECK_FALSE(parse({"--registry", "/a.json", "--registry-file", "/b.json"}));
    CHECK(parse({"--insecure-http"})->insecure_http);
}

TEST_CASE("monitor help: optional values read [UUID], not cxxopts' [=UUID(=)]", "[monitor]") {
    const std::string help = usage_text();
    CHECK(help.find("[=") == std::string::npos);
    CHECK(help.find("--deployment [UUID]") != std::string::npos);
    CHECK(help.find("--watch [SECONDS]") != std::string::npos);
    CHECK(help.find("--registry FILE") != std::string::npos);
    CHECK(help.find("registry-file") == std::string::npos);
}

TEST_CASE("monitor check: a removed skill is neither healthy nor a problem", "[monitor]") {
    AppRow removed = row("gone", "", false);
    removed.removed = true;
    Listing l{{row("a", "running:healthy"), removed}, {}};
    const auto r = evaluate_check(l);
    CHECK(r.code == ExitCode::ok);
    CHECK(r.total == 1);
    CHECK(r.summary == "OK: 1 of 1 skills healthy");
}

TEST_CASE("monitor options: runs, checks with alerts, diagnose", "[monitor]") {
    const auto runs = parse({"x", "--runs", "--status", "failed,timed_out", "--since", "2026-12-01",
                             "--limit", "5", "--before", "20261203T084735Z-3a428d05"});
    REQUIRE(runs);
    CHECK(runs->view == View::runs);
    CHECK((runs->runs_status == "failed,timed_out" && runs->runs_since == "2026-12-01" &&
           runs->runs_limit == 5));
    CHECK(parse({"x", "--run", "20261203T084735Z-3a428d05"})->view == View::run);
    const auto check = parse({"--check", "--offline", "--grace", "30", "--notify", "https://hooks.example/a",
                              "--notify", "http://127.0.0.1:9/b", "--notify-cmd", "cat"});
    REQUIRE(check);
    CHECK((check->view == View::check && check->offline && check->grace_minutes == 30));
    CHECK(check->notify_urls.size() == 2);
    CHECK(check->notify_commands == std::vector<std::string>{"cat"});
    CHECK(parse({"--offline"})->view == View::registry);
    const auto diagnose = parse({"x", "--diagnose", "20261203T084735Z-3a428d05", "--skill-dir", "out/x"});
    REQUIRE(diagnose);
    CHECK((diagnose->view == View::diagnose && diagnose->run_id == "20261203T084735Z-3a428d05"));
    CHECK(diagnose->skill_dir == "out/x");
    CHECK(parse({"x", "--diagnose"})->run_id.empty());
    for (auto args : std::vector<std::vector<const char*>>{{"--runs"},
                                                           {"--run", "20261203T084735Z-3a428d05"},
                                                           {"x", "--run", "../../etc"},
                                                           {"x", "--runs", "--limit", "201"},
                                                           {"x", "--status", "failed"},
                                                           {"--grace", "5"},
                                                           {"--check", "--notify", "file:///etc/passwd"},
                                                           {"x", "--runs", "--check"},
                                                           {"x", "--skill-dir", "d"},
                                                           {"--diagnose"}}) {
        const auto r = parse(args);
        CAPTURE(args);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ExitCode::usage);
    }
}
