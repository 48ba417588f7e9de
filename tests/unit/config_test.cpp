#include "common/coolify/config.h"

#include <filesystem>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "common/files.h"

using namespace df;

namespace {

struct Home {
    std::string dir;
    Home() {
        char tmpl[] = "/tmp/df-config-test.XXXXXX";
        dir = ::mkdtemp(tmpl);
        std::filesystem::create_directories(dir + "/.config/dark-factory");
        std::filesystem::create_directories(dir + "/.config/coolify");
    }
    ~Home() { std::filesystem::remove_all(dir); }
    void write(const std::string& rel, const std::string& text) const {
        REQUIRE(write_file_atomic(dir + rel, text));
    }
};

}  // namespace

TEST_CASE("config: flags beat environment beat our file beat the Coolify CLI") {
    Home h;
    h.write("/.config/dark-factory/config.json",
            R"({"coolify_url":"https://file.test","git_remote":"file-remote","domain":"file.test"})");
    h.write(
        "/.config/coolify/config.json",
        R"({"instances":[{"name":"cloud","fqdn":"https://app.coolify.io","token":"cloud-token"},{"name":"prod","fqdn":"https://cli.test","token":"cli-token","default":true}]})");
    ConfigFlags flags;
    flags.values["git_remote"] = "flag-remote";
    auto c = resolve_config(flags, fixed_env({{"HOME", h.dir},
                                              {"DF_GIT_REMOTE", "env-remote"},
                                              {"DF_DOMAIN", "env.test"},
                                              {"COOLIFY_URL", "https://env.test"},
                                              {"COOLIFY_TOKEN", "env-token"}}));
    REQUIRE(c);
    CHECK(c->coolify_url.value == "https://env.test");
    CHECK(c->token.value == "env-token");
    CHECK(c->git_remote.value == "flag-remote");
    CHECK(c->git_remote.origin == "--git-remote");
    CHECK(c->domain.value == "env.test");
    CHECK(c->environment.value == "production");
    CHECK(c->git_url.value == "flag-remote");
    CHECK(c->registry.value == h.dir + "/.local/state/dark-factory/registry.json");

    h.write("/.config/dark-factory/config.json", R"({"git_remote":"file-remote"})");
    auto ctx = resolve_config({}, fixed_env({{"HOME", h.dir}, {"COOLIFY_CONTEXT", "cloud"}}));
    REQUIRE(ctx);
    CHECK(ctx->coolify_url.value == "https://app.coolify.io");
    CHECK(ctx->token.value == "cloud-token");
    auto def = resolve_config({}, fixed_env({{"HOME", h.dir}}));
    REQUIRE(def);
    CHECK(def->token.value == "cli-token");
    CHECK(def->token.origin == "coolify-cli context prod");
    auto missing_ctx = resolve_config({}, fixed_env({{"HOME", h.dir}, {"COOLIFY_CONTEXT", "nope"}}));
    REQUIRE_FALSE(missing_ctx);
    CHECK(missing_ctx.error().code == ExitCode::config);
}

TEST_CASE("config: malformed or invalid settings are config errors before anything else") {
    Home h;
    h.write("/.config/dark-factory/config.json", "{not json");
    auto bad = resolve_config({}, fixed_env({{"HOME", h.dir}}));
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == ExitCode::config);
    CHECK(bad.error().message.find("config.json") != std::string::npos);

    h.write("/.config/dark-factory/config.json", R"({"coolify_ulr":"x"})");
    auto typo = resolve_config({}, fixed_env({{"HOME", h.dir}}));
    REQUIRE_FALSE(typo);
    CHECK(typo.error().message.find("coolify_ulr") != std::string::npos);

    h.write("/.config/dark-factory/config.json", "{}");
    auto url = resolve_config({}, fixed_env({{"HOME", h.dir}, {"COOLIFY_URL", "ftp://x"}}));
    REQUIRE_FALSE(url);
    CHECK(url.error().code == ExitCode::config);

    auto key = resolve_config({}, fixed_env({{"HOME", h.dir}, {"DF_GIT_SOURCE", "deploy-key"}}));
    REQUIRE_FALSE(key);
    CHECK(key.error().message.find("DF_PRIVATE_KEY_UUID") != std::string::npos);

    auto explicit_missing =
        resolve_config({}, fixed_env({{"HOME", h.dir}, {"DF_CONFIG", h.dir + "/nope.json"}}));
    REQUIRE_FALSE(explicit_missing);
}

TEST_CASE("config: notify and notify_cmd are a string or a list of strings, from the file only") {
    Home h;
    const auto env = fixed_env({{"HOME", h.dir}});
    h.write(
        "/.config/dark-factory/config.json",
        R"({"notify":["https://hooks.example.com/a","http://127.0.0.1:9/b"],"notify_cmd":"cat >/dev/null"})");
    auto c = resolve_config({}, env);
    REQUIRE(c);
    CHECK(c->notify == std::vector<std::string>{"https://hooks.example.com/a", "http://127.0.0.1:9/b"});
    CHECK(c->notify_cmd == std::vector<std::string>{"cat >/dev/null"});
    h.write("/.config/dark-factory/config.json", R"({"notify":"https://hooks.example.com/a"})");
    c = resolve_config({}, env);
    REQUIRE(c);
    CHECK(c->notify == std::vector<std::string>{"https://hooks.example.com/a"});
    CHECK(c->notify_cmd.empty());
    for (const char* bad : {R"({"notify":"ftp://x/y"})", R"({"notify":[1]})", R"({"notify_cmd":[""]})",
                            R"({"notify_cmd":{"a":"b"}})"}) {
        h.write("/.config/dark-factory/config.json", bad);
        auto r = resolve_config({}, env);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ExitCode::config);
        CHECK(r.error().message.find("notify") != std::string::npos);
    }
}

TEST_CASE("config: required settings and masked printing") {
    Home h;
    auto c = resolve_config({}, fixed_env({{"HOME", h.dir},
                                           {"COOLIFY_TOKEN", "1|very-secret"},
                                           {"COOLIFY_URL", "http://127.0.0.1:8000/"}}));
    REQUIRE(c);
    CHECK(c->coolify_url.value == "http://127.0.0.1:8000");
    auto s = require_settings(*c, {"coolify_url", "token", "git_remote", "server_uuid"});
    REQUIRE_FALSE(s);
    CHECK(s.error().code == ExitCode::config);
    CHECK(s.error().message.find("DF_GIT_REMOTE") != std::string::npos);
    CHECK(s.error().message.find("DF_SERVER_UUID") != std::string::npos);
    for (bool as_json : {false, true}) {
        const std::string text = describe_config(*c, as_json);
        CHECK(text.find("very-secret") == std::string::npos);
        CHECK(text.find("***") != std::string::npos);
        CHECK(text.find("env COOLIFY_TOKEN") != std::string::npos);
    }
}

TEST_CASE("config: the Coolify URL and token come from one place") {
    Home h;
    h.write("/.config/dark-factory/config.json", R"({"coolify_url":"https://file.test"})");
    h.write(
        "/.config/coolify/config.json",
        R"({"instances":[{"name":"other","fqdn":"https://other.test","token":"other-token","default":true}]})");
    // The URL from our file and the token from the CLI's default context (another host): refused.
    auto mixed = resolve_config({}, fixed_env({{"HOME", h.dir}}));
    REQUIRE_FALSE(mixed);
    CHECK(mixed.error().code == ExitCode::config);
    CHECK(mixed.error().message.find("coolify-cli context other") != std::string::npos);
    CHECK(mixed.error().message.find("other-token") == std::string::npos);
    // The URL from the environment and the token from our file: refused too.
    h.write("/.config/dark-factory/config.json", R"({"token":"file-token"})");
    auto env_file = resolve_config({}, fixed_env({{"HOME", h.dir}, {"COOLIFY_URL", "https://env.test"}}));
    REQUIRE_FALSE(env_file);
    // A flag with an environment variable is one place.
    ConfigFlags flags;
    flags.values["coolify_url"] = "https://flag.test";
    auto pair = resolve_config(flags, fixed_env({{"HOME", h.dir}, {"COOLIFY_TOKEN", "env-token"}}));
    REQUIRE(pair);
    CHECK(pair->token.value == "env-token");
}

TEST_CASE("config: no password in the Coolify URL, no token over plain http to another host") {
    Home h;
    auto userinfo = resolve_config({}, fixed_env({{"HOME", h.dir},
                                                  {"COOLIFY_URL", "https://admin:hunter2-pw@coolify.test/"},
                                                  {"COOLIFY_TOKEN", "t-123456"}}));
    REQUIRE_FALSE(userinfo);
    CHECK(userinfo.error().code == ExitCode::config);
    CHECK(userinfo.error().message.find("hunter2-pw") == std::string::npos);
    CHECK(userinfo.error().message.find("admin") == std::string::npos);
    CHECK(userinfo.error().message.find("https://coolify.test") != std::string::npos);
    auto scheme = resolve_config({}, fixed_env({{"HOME", h.dir}, {"COOLIFY_URL", "ftp://u:hunter2-pw@x"}}));
    REQUIRE_FALSE(scheme);
    CHECK(scheme.error().message.find("hunter2-pw") == std::string::npos);

    const auto plain = fixed_env(
        {{"HOME", h.dir}, {"COOLIFY_URL", "http://coolify.test:8000"}, {"COOLIFY_TOKEN", "t-123456"}});
    auto refused = resolve_config({}, plain);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message.find("--insecure-http") != std::string::npos);
    ConfigFlags insecure;
    insecure.insecure_http = true;
    CHECK(resolve_config(insecure, plain));
    for (const char* local : {"http://127.0.0.1:8000", "http://localhost", "http://[::1]:8000"}) {
        CHECK(resolve_config(
            {}, fixed_env({{"HOME", h.dir}, {"COOLIFY_URL", local}, {"COOLIFY_TOKEN", "t-123456"}})));
    }
}
