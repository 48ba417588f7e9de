#include "common/coolify/http.h"

#include <thread>

#include <catch2/catch.hpp>
#include <httplib.h>

#include "tests/standins/drop_connection.h"
#include "tests/unit/fake_http.h"

using namespace df;
using df::testing::FakeClock;
using df::testing::response;
using df::testing::ScriptedTransport;

namespace {

http::Client client(std::shared_ptr<ScriptedTransport> t, FakeClock& clock, http::Options o = {}) {
    o.secrets = {"s3cret-token-value"};
    return http::Client(o, t, &clock, 42);
}

http::Request get(std::string url = "https://coolify.test/api/v1/applications") {
    http::Request r;
    r.url = std::move(url);
    return r;
}

}  // namespace

TEST_CASE("http: a GET is retried on 5xx with growing, jittered, bounded waits") {
    auto t = std::make_shared<ScriptedTransport>();
    t->script = {response(503), response(502), response(500), response(200, "ok")};
    FakeClock clock;
    auto c = client(t, clock);
    auto r = c.send(get());
    REQUIRE(r);
    CHECK(r->status == 200);
    REQUIRE(clock.sleeps.size() == 3);
    CHECK(clock.sleeps[0] >= http::Millis(250));
    CHECK(clock.sleeps[0] <= http::Millis(500));
    CHECK(clock.sleeps[2] >= http::Millis(1000));
    CHECK(clock.sleeps[2] <= http::Millis(2000));
}

TEST_CASE("http: a POST is not re-sent after a 5xx or a lost answer") {
    auto t = std::make_shared<ScriptedTransport>();
    t->script = {response(502)};
    FakeClock clock;
    auto c = client(t, clock);
    auto req = get();
    req.method = "POST";
    auto r = c.send(req);
    REQUIRE(r);
    CHECK(r->status == 502);
    CHECK(t->seen.size() == 1);

    t->script = {http::TransportError{http::Failure::lost, "connection reset"}};
    t->seen.clear();
    auto r2 = c.send(req);
    REQUIRE_FALSE(r2);
    CHECK(r2.error().code == ExitCode::unavailable);
    CHECK(t->seen.size() == 1);
}

TEST_CASE("http: a POST that never left (connection refused) is retried") {
    auto t = std::make_shared<ScriptedTransport>();
    t->script = {http::TransportError{http::Failure::not_sent, "refused"}, response(201)};
    FakeClock clock;
    auto c = client(t, clock);
    auto req = get();
    req.method = "POST";
    auto r = c.send(req);
    REQUIRE(r);
    CHECK(r->status == 201);
    CHECK(t->seen.size() == 2);
}

TEST_CASE("http: 401 and 403 are never retried") {
    for (int status : {401, 403}) {
        auto t = std::make_shared<ScriptedTransport>();
        t->script = {response(status)};
        FakeClock clock;
        auto c = client(t, clock);
        auto r = c.send(get());
        REQUIRE(r);
        CHECK(r->status == status);
        CHECK(t->seen.size() == 1);
        CHECK(clock.sleeps.empty());
        CHECK(http::exit_code_for_status(status) == ExitCode::no_permission);
    }
}

TEST_CASE("http: Retry-After is honoured, and a wait past the budget gives up at once") {
    auto t = std::make_shared<ScriptedTransport>();
    t->script = {response(429, "{}", {{"retry-after", "7"}}), response(200)};
    FakeClock clock;
    auto c = client(t, clock);
    auto r = c.send(get());
    REQUIRE(r);
    CHECK(r->status == 200);
    REQUIRE(clock.sleeps.size() == 1);
    CHECK(clock.sleeps[0] == http::Millis(7000));

    auto t2 = std::make_shared<ScriptedTransport>();
    t2->script = {response(429, "{}", {{"retry-after", "600"}})};
    FakeClock clock2;
    auto c2 = client(t2, clock2);
    auto r2 = c2.send(get());
    REQUIRE(r2);
    CHECK(r2->status == 429);
    CHECK(clock2.sleeps.empty());
    CHECK(t2->seen.size() == 1);
}

TEST_CASE("http: the token never appears in an error message") {
    auto t = std::make_shared<ScriptedTransport>();
    t->script = {http::TransportError{http::Failure::tls, "bad cert for s3cret-token-value"}};
    FakeClock clock;
    auto c = client(t, clock);
    auto r = c.send(get("https://user:s3cret-token-value@coolify.test/api?token=s3cret-token-value"));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ExitCode::protocol);
    CHECK(r.error().message.find("s3cret") == std::string::npos);
    CHECK(c.mask("Bearer s3cret-token-value") == "Bearer ***");
}

TEST_CASE("http: Retry-After parsing") {
    CHECK(http::parse_retry_after("5") == http::Millis(5000));
    CHECK(http::parse_retry_after(" 0 ") == http::Millis(0));
    CHECK_FALSE(http::parse_retry_after("soon"));
    CHECK(http::parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == http::Millis(0));  // in the past
    CHECK(http::origin_of("https://u:p@host:8000/api/v1?x=1") == "https://host:8000");
}

TEST_CASE("http: the libcurl transport against a local server") {
    httplib::Server server;
    std::atomic<int> flaky{0};
    server.Get("/ok", [](const httplib::Request& req, httplib::Response& res) {
        res.set_header("X-Seen-Auth", req.get_header_value("Authorization").empty() ? "no" : "yes");
        res.set_content("hello", "text/plain");
    });
    server.Get("/flaky", [&](const httplib::Request&, httplib::Response& res) {
        if (flaky++ < 2) {
            res.status = 429;
            res.set_header("Retry-After", "0");
            return;
        }
        res.set_content("done", "text/plain");
    });
    server.Get("/drop", [](const httplib::Request&, httplib::Response& res) {
        res.set_content_provider(100, "text/plain", [](size_t, size_t, httplib::DataSink&) { return false; });
    });
    server.Get("/loop", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/loop"); });
    server.Get("/file", [](const httplib::Request&, httplib::Response& res) {
        res.set_redirect("file:///etc/passwd");
    });
    server.Patch("/echo", [](const httplib::Request& req, httplib::Response& res) {
        res.set_content(req.method + ":" + req.body, "text/plain");
    });
    const int port = server.bind_to_any_port("127.0.0.1");
    std::thread th([&] { server.listen_after_bind(); });
    const std::string base = "http://127.0.0.1:" + std::to_string(port);

    http::Options o;
    o.backoff_base = http::Millis(1);
    o.total_timeout = http::Millis(5000);
    http::Client c(o);
    auto get_url = [&](const std::string& path) { return c.send(get(base + path)); };

    auto ok = get_url("/ok");
    REQUIRE(ok);
    CHECK(ok->status == 200);
    CHECK(ok->body == "hello");
    CHECK(ok->header("x-seen-auth") == "no");

    auto fl = get_url("/flaky");
    REQUIRE(fl);
    CHECK(fl->body == "done");
    CHECK(flaky == 3);

    auto dropped = get_url("/drop");
    REQUIRE_FALSE(dropped);
    CHECK(dropped.error().code == ExitCode::unavailable);

    // Redirects are not followed by default: the 3xx comes back for the caller to report.
    auto moved = get_url("/loop");
    REQUIRE(moved);
    CHECK(moved->status == 302);
    CHECK(moved->header("location") == "/loop");

    o.max_redirects = 3;
    http::Client following(o);
    auto loop = following.send(get(base + "/loop"));
    REQUIRE_FALSE(loop);
    CHECK(loop.error().code == ExitCode::protocol);

    auto file = following.send(get(base + "/file"));
    REQUIRE_FALSE(file);
    CHECK(file.error().code == ExitCode::protocol);

    http::Request post = get(base + "/echo");
    post.method = "PATCH";
    post.body = R"({"a":1})";
    auto echoed = c.send(post);
    REQUIRE(echoed);
    CHECK(echoed->body == R"(PATCH:{"a":1})");

    server.stop();
    th.join();

    http::Options quick;
    quick.max_attempts = 2;
    quick.backoff_base = http::Millis(1);
    http::Client down(quick);
    auto refused = down.send(get(base + "/ok"));
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == ExitCode::unavailable);
    CHECK(down.attempts() == 2);
}

TEST_CASE("http: libcurl never re-sends a POST whose reused connection died without an answer") {
    // libcurl re-sends a request on a fresh connection when a reused one closes before any answer byte;
    // the server may have acted on the first copy (a second app). Writes must be sent exactly once.
    httplib::Server server;
    std::atomic<int> posts{0}, patches{0};
    server.Get("/warm", [](const httplib::Request&, httplib::Response& res) {
        res.set_content("{}", "application/json");
    });
    server.Post("/create", [&](const httplib::Request& req, httplib::Response& res) {
        ++posts;
        df::testing::drop_connection(req);
        res.set_content(R"({"uuid":"x"})", "application/json");
    });
    server.Patch("/update", [&](const httplib::Request& req, httplib::Response& res) {
        ++patches;
        df::testing::drop_connection(req);
        res.set_content("{}", "application/json");
    });
    const int port = server.bind_to_any_port("127.0.0.1");
    std::thread th([&] { server.listen_after_bind(); });
    const std::string base = "http://127.0.0.1:" + std::to_string(port);
    http::Options o;
    o.backoff_base = http::Millis(1);
    http::Client c(o);

    for (const char* method : {"POST", "PATCH"}) {
        REQUIRE(c.send(get(base + "/warm")));  // leaves a kept-alive connection for the write to reuse
        http::Request write = get(base + (method == std::string("POST") ? "/create" : "/update"));
        write.method = method;
        write.body = R"({"name":"df-x"})";
        auto r = c.send(write);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ExitCode::unavailable);
    }
    CHECK(posts == 1);
    CHECK(patches == 1);
    server.stop();
    th.join();
}
