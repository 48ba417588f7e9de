#include "common/coolify/coolify.h"

#include <catch2/catch.hpp>

#include "tests/unit/fake_http.h"

using namespace df;
using df::testing::FakeClock;
using df::testing::response;
using df::testing::ScriptedTransport;

namespace {

struct Fixture {
    std::shared_ptr<ScriptedTransport> transport = std::make_shared<ScriptedTransport>();
    FakeClock clock;
    http::Client http{http::Options{}, transport, &clock, 1};
    coolify::Client api{http, "https://coolify.test/api/v1/", "1|tok"};
};

}  // namespace

TEST_CASE("coolify: versions and what they can do") {
    auto v = coolify::Version::parse("4.3.11");
    REQUIRE(v);
    CHECK(v->has_rollback_endpoint());
    CHECK_FALSE(v->requires_ports_exposes());
    auto beta = coolify::Version::parse("4.0.0-beta.300");
    REQUIRE(beta);
    CHECK_FALSE(beta->has_app_logs());
    CHECK_FALSE(beta->has_deployments_by_app());
    CHECK(beta->requires_ports_exposes());
    CHECK_FALSE(beta->accepts_tags());
    CHECK(coolify::Version::parse("4.0.0-beta.420")->has_deployments_by_app());
    CHECK(coolify::Version::parse("4.4-rc.1")->at_least(*coolify::Version::parse("4.3.11")));
    CHECK_FALSE(coolify::Version::parse("<html>"));
}

TEST_CASE("coolify: /version is plain text; the base URL tolerates /api/v1 and sends the headers") {
    Fixture f;
    f.transport->script = {response(200, "4.2.1\n")};
    auto v = f.api.version();
    REQUIRE(v);
    CHECK(v->minor == 2);
    const auto& req = f.transport->seen.at(0);
    CHECK(req.url == "https://coolify.test/api/v1/version");
    CHECK(std::find(req.headers.begin(), req.headers.end(),
                    http::Headers::value_type{"Authorization", "Bearer 1|tok"}) != req.headers.end());
    CHECK(std::find(req.headers.begin(), req.headers.end(),
                    http::Headers::value_type{"Accept", "application/json"}) != req.headers.end());
}

TEST_CASE("coolify: 422 errors in both shapes, and 401/403 advice") {
    http::Response r = response(
        422,
        R"({"message":"Validation failed.","errors":{"bogus":["This field is not allowed."],"ports_exposes":"bad"}})");
    auto e = coolify::api_error(r, "creating");
    CHECK(e.code == ExitCode::failed);
    CHECK(e.message.find("bogus: This field is not allowed.") != std::string::npos);
    CHECK(e.message.find("ports_exposes: bad") != std::string::npos);
    auto denied = coolify::api_error(response(403, R"({"success":true,"message":"API is disabled."})"), "x");
    CHECK(denied.code == ExitCode::no_permission);
    CHECK(denied.message.find("API Access") != std::string::npos);
    CHECK(coolify::api_error(response(401, R"({"message":"Unauthenticated."})"), "x").code ==
          ExitCode::no_permission);
    CHECK(coolify::api_error(response(500, "<html>oops</html>"), "x").code == ExitCode::unavailable);
}

TEST_CASE("coolify: the deploy dedupe answer is recognised") {
    Fixture f;
    f.transport->script = {response(
        200,
        R"({"deployments":[{"message":"Deployment already queued for this commit.","resource_uuid":"app1","deployment_uuid":"ghost"}]})")};
    auto ack = f.api.deploy("app1", false);
    REQUIRE(ack);
    CHECK(ack->already_queued);
    CHECK(f.transport->seen.at(0).body == R"({"uuid":"app1"})");  // never force=false
}

TEST_CASE("coolify: deployments, lists and build logs in the real shapes") {
    Fixture f;
    f.transport->script = {response(
        200,
        R"({"count":2,"deployments":[{"deployment_uuid":"d2","status":"in_progress","commit":"HEAD"},{"deployment_uuid":"d1","status":"finished","commit":"abc"}]})")};
    auto page = f.api.list_deployments("app1", 0, 10);
    REQUIRE(page);
    CHECK(page->count == 2);
    CHECK(page->deployments.at(0).active());
    CHECK(page->deployments.at(1).terminal());

    f.transport->script = {response(404, R"({"message":"Deployment not found."})")};
    auto missing = f.api.get_deployment("ghost");
    REQUIRE(missing);
    CHECK_FALSE(missing->has_value());

    auto log = coolify::parse_build_log(
        R"([{"output":"first","batch":1,"hidden":false},{"output":"third","order":2,"batch":1},{"output":"secret","order":1,"batch":1,"hidden":true}])");
    REQUIRE(log);
    REQUIRE(log->size() == 3);
    CHECK(log->at(0).output == "first");
    CHECK(log->at(1).hidden);
    CHECK(log->at(2).output == "third");
    CHECK_FALSE(coolify::parse_build_log("not json"));
}

TEST_CASE("coolify: application status strings") {
    CHECK(coolify::AppState::parse("running:healthy").healthy());
    CHECK_FALSE(coolify::AppState::parse("running:unknown").healthy());
    CHECK(coolify::AppState::parse("exited").health == "unhealthy");
    CHECK_FALSE(coolify::AppState::parse("restarting:unknown").up());
}

TEST_CASE("coolify: a non-JSON 200 is a protocol error") {
    Fixture f;
    f.transport->script = {response(200, "<html>login</html>")};
    auto apps = f.api.list_applications();
    REQUIRE_FALSE(apps);
    CHECK(apps.error().code == ExitCode::protocol);
}
