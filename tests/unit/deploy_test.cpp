// deploy's decisions (deployer/): what is checked before any side effect, what a lost answer is taken to
// mean, which app or deployment is adopted afterwards, and what the registry says after an attempt that
// changed nothing remote.
#include <algorithm>
#include <filesystem>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "common/registry.h"
#include "deployer/cli.h"
#include "deployer/internal.h"
#include "tests/unit/fake_http.h"

using namespace df;
using namespace df::deployer;

namespace {

using Env = std::vector<std::pair<std::string, std::string>>;

coolify::Application app(std::string uuid, std::string name, std::string created_at) {
    coolify::Application a;
    a.uuid = std::move(uuid);
    a.name = std::move(name);
    a.created_at = std::move(created_at);
    return a;
}

coolify::Deployment deployment(std::string uuid, std::string status, std::string commit) {
    coolify::Deployment d;
    d.deployment_uuid = std::move(uuid);
    d.status = std::move(status);
    d.commit = std::move(commit);
    return d;
}

}  // namespace

TEST_CASE("deploy: --env keys and values the service would refuse are usage errors") {
    for (const std::string key : {"1A", "A-B", "A\nB", "", "A B", "Ä"}) {
        auto s = validate_env({{key, "v"}});
        REQUIRE_FALSE(s);
        CHECK(s.error().code == ExitCode::usage);
        CHECK(s.error().message.find('\n') == std::string::npos);
    }
    CHECK(validate_env({{"GOOD_1", "any value, even\nmultiline"}, {"_x", ""}}));
    CHECK_FALSE(validate_env({{"A", "1"}, {"A", "2"}}));  // given twice
    // The entrypoint's check_secret: 16+ printable ASCII characters, no spaces or single quotes.
    CHECK_FALSE(validate_env({{"DF_TRIGGER_TOKEN", "short"}}));
    CHECK_FALSE(validate_env({{"DF_TRIGGER_TOKEN", ""}}));
    CHECK_FALSE(validate_env({{"DF_APPROVE_TOKEN", "0123456789abcdef'"}}));
    CHECK_FALSE(validate_env({{"DF_TRIGGER_HMAC_SECRET", "0123456789 abcdef"}}));
    CHECK(validate_env({{"DF_TRIGGER_TOKEN", std::string(64, 'a')}}));
    CHECK_FALSE(validate_env({{"DF_PORT", "70000"}}));
    CHECK_FALSE(validate_env({{"DF_BIND", "a b"}}));
    CHECK(validate_env({{"DF_PORT", "8080"}, {"DF_BIND", "127.0.0.1"}}));
    // The value never appears in the message (it may be a secret).
    auto shorter = validate_env({{"DF_TRIGGER_TOKEN", "secret-short"}});
    REQUIRE_FALSE(shorter);
    CHECK(shorter.error().message.find("secret-short") == std::string::npos);
}

TEST_CASE("deploy: a write whose answer is lost or unreadable has an unknown outcome") {
    CHECK(outcome_unknown(Error{ExitCode::unavailable, "lost"}));
    CHECK(outcome_unknown(Error{ExitCode::protocol, "not JSON"}));
    CHECK(outcome_unknown(Error{ExitCode::timed_out, "timed out"}));
    CHECK_FALSE(outcome_unknown(Error{ExitCode::failed, "HTTP 422"}));
    CHECK_FALSE(outcome_unknown(Error{ExitCode::no_permission, "HTTP 401"}));
    CHECK_FALSE(outcome_unknown(Error{ExitCode::interrupted, "interrupted"}));
}

TEST_CASE("deploy: after an ambiguous create the app that exists is adopted, never a duplicate") {
    const std::vector<coolify::Application> apps = {app("newer", "df-x", "2026-12-02T10:00:01Z"),
                                                    app("other", "df-y", "2026-12-01T00:00:00Z"),
                                                    app("older", "df-x", "2026-12-02T10:00:00Z")};
    CHECK(pick_app(apps, "df-x", "")->uuid == "older");
    CHECK(pick_app(apps, "df-x", "newer")->uuid == "newer");  // the registry's own app wins
    CHECK(pick_app(apps, "df-x", "gone")->uuid == "older");
    CHECK_FALSE(pick_app(apps, "df-z", ""));
    CHECK_FALSE(pick_app({}, "df-x", "older"));
}

TEST_CASE("deploy: after a lost answer to POST /deploy the deployment it started is followed") {
    const std::string ours(40, 'c'), older(40, 'b');
    // An active deployment builds the branch tip: followed whatever its commit says (queued: HEAD).
    CHECK(adoptable_deployment({deployment("q", "queued", "HEAD"), deployment("f", "finished", older)}, ours,
                               {})
              ->deployment_uuid == "q");
    // Already over: the newest of our commit that no earlier attempt recorded.
    CHECK(adoptable_deployment({deployment("new", "failed", ours), deployment("old", "finished", ours)}, ours,
                               {"old"})
              ->deployment_uuid == "new");
    // Nothing new: none started, so nothing is adopted (and the request is not re-sent).
    CHECK_FALSE(adoptable_deployment({deployment("old", "finished", ours)}, ours, {"old"}));
    CHECK_FALSE(adoptable_deployment({deployment("f", "finished", older)}, ours, {}));
    CHECK_FALSE(adoptable_deployment({}, ours, {}));
}

TEST_CASE("deploy: an attempt that changed nothing remote is history only") {
    char tmpl[] = "/tmp/df-deploy-test.XXXXXX";
    const std::string dir = ::mkdtemp(tmpl);
    const std::string path = dir + "/registry.json";
    auto set = [&](const std::string& id, const std::string& status, bool sets_status) {
        return record(
            path, "x", id, [&](SkillRecord&, DeployRecord& rec) { rec.status = status; }, sets_status);
    };
    REQUIRE(set("1", "finished", true));
    REQUIRE(set("2", "failed", false));  // e.g. a wrong token, found before the push
    auto r = load_registry(path);
    REQUIRE(r);
    const SkillRecord& x = r->skills.at("x");
    CHECK(x.status == "finished");
    REQUIRE(x.history.size() == 2);
    CHECK(x.history.back().status == "failed");

    // A skill that never had an attempt end gets a status anyway ("pending" counts as none).
    REQUIRE(update_registry(path, [](Registry& reg) {
        reg.skills["y"].status = "pending";
        return ok();
    }));
    REQUIRE(record(
        path, "y", "1", [](SkillRecord&, DeployRecord& rec) { rec.status = "failed"; }, false));
    CHECK(load_registry(path)->skills.at("y").status == "failed");
    std::filesystem::remove_all(dir);
}

TEST_CASE("deploy: retries never repeat a write whose answer was lost") {
    using df::testing::FakeClock;
    using df::testing::response;
    using df::testing::ScriptedTransport;
    struct Case {
        const char* method;
        http::Attempt attempt;
        std::size_t sends;
    };
    const http::TransportError lost{http::Failure::lost, "connection reset"};
    const http::TransportError timed_out{http::Failure::timed_out, "timed out"};
    const http::TransportError not_sent{http::Failure::not_sent, "connection refused"};
    const Case cases[] = {
        {"GET", lost, 4},           {"GET", response(503), 4},   {"POST", lost, 1},
        {"POST", timed_out, 1},     {"POST", response(504), 1},  {"PATCH", lost, 1},
        {"DELETE", lost, 1},        {"PATCH", response(502), 1}, {"POST", not_sent, 4},
        {"POST", response(429), 4}, {"DELETE", not_sent, 4},
    };
    for (const auto& c : cases) {
        auto t = std::make_shared<ScriptedTransport>();
        t->script = {c.attempt};
        FakeClock clock;
        http::Options o;
        http::Client client(o, t, &clock, 1);
        http::Request req;
        req.method = c.method;
        req.url = "https://coolify.test/api/v1/applications/public";
        (void)client.send(req);
        INFO(c.method);
        CHECK(t->seen.size() == c.sends);
    }
}

namespace {

Result<DeployOptions> parse(std::vector<const char*> args) {
    args.insert(args.begin(), "deploy");
    return parse_options(static_cast<int>(args.size()), args.data());
}

}  // namespace

TEST_CASE("deploy: the command line fills DeployOptions") {
    auto o = parse({"a", "b", "--env", "K=v=w", "--timeout", "1h30m", "--poll-interval", "500ms", "--no-wait",
                    "--git-remote", "origin", "--token-file", "/t", "--insecure-http"});
    REQUIRE(o);
    CHECK(o->mode == Mode::deploy);
    CHECK(o->skill_dirs == std::vector<std::string>{"a", "b"});
    CHECK(o->env == Env{{"K", "v=w"}});
    CHECK(o->timeout == std::chrono::seconds(5400));
    CHECK(o->poll_interval == std::chrono::milliseconds(500));
    CHECK_FALSE(o->wait);
    CHECK(o->config_flags.values.at("git_remote") == "origin");
    CHECK(o->config_flags.values.count("token") == 0);  // the file is read by run_deploy, not here
    CHECK(o->token_file == "/t");
    CHECK(o->config_flags.insecure_http);

    auto r = parse({"--rollback", "x", "--to", "abc"});
    REQUIRE(r);
    CHECK(r->mode == Mode::rollback);
    CHECK(r->name == "x");
    CHECK(r->to_commit == "abc");
    auto m = parse({"--remove", "x", "--delete-branch"});
    REQUIRE(m);
    CHECK(m->mode == Mode::remove);
    CHECK(m->delete_branch);
    CHECK(parse({"--help", "--bogus-is-not-read-after-help"}).error().code == ExitCode::usage);
    CHECK(parse({"--version"})->version);
}

TEST_CASE("deploy: combinations that make no sense are usage errors that name the flag") {
    const std::vector<std::vector<const char*>> bad = {{"--rollback", "x", "--remove", "y"},
                                                       {"--print-config", "dir"},
                                                       {"--to", "abc", "dir"},
                                                       {"--delete-branch", "dir"},
                                                       {"--env", "=v", "dir"},
                                                       {"--env", "NOEQUALS", "dir"},
                                                       {"--timeout", "soon", "dir"},
                                                       {"--poll-interval", "0ms"},
                                                       {"--bogus"},
                                                       {"--rollback"}};
    for (const auto& args : bad) {
        auto o = parse(args);
        INFO(args[0]);
        REQUIRE_FALSE(o);
        CHECK(o.error().code == ExitCode::usage);
        CHECK(o.error().message.find("--help)") != std::string::npos);
    }
    CHECK(parse({"--to", "abc", "dir"}).error().message.find("--to needs --rollback") == 0);
}

TEST_CASE("deploy: --help lists every option once, with the forms of the command and the exit statuses") {
    const std::string help = usage_text();
    for (const char* flag : {"--dry-run", "--env", "--rollback", "--remove", "--token-file", "--registry",
                             "--poll-interval", "--insecure-http", "--version"}) {
        INFO(flag);
        CHECK(help.find(std::string(flag) + " ") != std::string::npos);
    }
    CHECK(help.find("deploy --rollback NAME [--to COMMIT]") != std::string::npos);
    CHECK(help.find("143 on SIGTERM") != std::string::npos);
}

TEST_CASE("deploy: an update sends only what differs from the app Coolify has") {
    coolify::Application have;
    have.name = "df-x";
    have.git_repository = "owner/repo";  // how Coolify stores a public GitHub URL
    have.git_branch = "df/x";
    have.health_check_path = "/hooks/health";
    have.health_check_enabled = true;
    have.is_auto_deploy_enabled = false;
    json::Object want;
    want.set("name", "df-x")
        .set("git_repository", "https://github.com/owner/repo.git")
        .set("git_branch", "df/x")
        .set("health_check_path", "/hooks/health")
        .set("health_check_enabled", true)
        .set("is_auto_deploy_enabled", false);
    CHECK(changed_fields(want, have).fields.empty());  // unchanged: no PATCH at all

    want.set("health_check_path", "/health").set("is_auto_deploy_enabled", true).set("git_branch", "df/y");
    const auto patch = changed_fields(want, have);
    std::vector<std::string> keys;
    for (const auto& [k, v] : patch.fields) keys.push_back(k);
    std::sort(keys.begin(), keys.end());
    CHECK(keys == std::vector<std::string>{"git_branch", "health_check_path", "is_auto_deploy_enabled"});

    have.is_auto_deploy_enabled.reset();  // the list endpoint does not say: not worth a PATCH
    have.health_check_enabled.reset();    // unknown health check: sent
    json::Object flags;
    flags.set("is_auto_deploy_enabled", false).set("health_check_enabled", true);
    const auto second = changed_fields(flags, have);
    REQUIRE(second.fields.size() == 1);
    CHECK(second.fields.begin()->first == "health_check_enabled");
}

TEST_CASE("deploy: a rollback goes back to the last good deploy, or to the --to commit") {
    const std::string a(40, 'a'), b(40, 'b'), c(40, 'c');
    SkillRecord skill;
    auto add = [&](const std::string& kind, const std::string& commit, const std::string& status) {
        DeployRecord r;
        r.kind = kind;
        r.commit = commit;
        r.status = status;
        skill.history.push_back(r);
    };
    add("deploy", a, "finished");
    add("deploy", b, "finished");
    add("deploy", c, "failed");
    add("remove", b, "finished");  // a removal is no deploy to go back to
    skill.commit = b;              // b runs now
    CHECK(*rollback_target(skill, "x", "") == a);
    CHECK(*rollback_target(skill, "x", "ccc") == c);  // --to: any recorded commit, by prefix
    CHECK(*rollback_target(skill, "x", std::string(40, 'd')) == std::string(40, 'd'));  // full, unrecorded
    auto unknown = rollback_target(skill, "x", "ddd");
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().code == ExitCode::usage);
    CHECK(unknown.error().message == "no deploy of 'x' has a commit starting with ddd");
    skill.history.erase(skill.history.begin());  // only b was ever good, and b runs
    auto none = rollback_target(skill, "x", "");
    REQUIRE_FALSE(none);
    CHECK(none.error().code == ExitCode::failed);

    DeployOptions options;
    Skill s;
    CHECK_FALSE(rolls_back(options, s));
    s.manifest.workflow.policy.auto_rollback = true;  // the workflow's guardrail
    CHECK(rolls_back(options, s));
    s.manifest.workflow.policy.auto_rollback = false;
    options.auto_rollback = true;  // --auto-rollback
    CHECK(rolls_back(options, s));
}
