// The service files as compile generates them: webhook config, cron files, Dockerfile packages.
#include "compiler/service.h"

#include <algorithm>
#include <set>
#include <string>

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

namespace df::compiler {
namespace {

Manifest sample_manifest() {
    Manifest m;
    m.version = "0123456789ab";
    m.workflow.name = "sample";
    m.workflow.title = "Sample";
    m.workflow.inputs.push_back(
        {"message", "", InputType::string, true, std::nullopt, {}, false, "MESSAGE", {}});
    m.workflow.triggers.push_back({});
    return m;
}

const GeneratedFile* find_file(const std::vector<GeneratedFile>& files, const std::string& path) {
    const auto it = std::find_if(files.begin(), files.end(), [&](const auto& f) { return f.path == path; });
    return it == files.end() ? nullptr : &*it;
}

Trigger cron(std::string schedule, KeyValues inputs) {
    Trigger t;
    t.kind = Trigger::Kind::cron;
    t.schedule = std::move(schedule);
    t.written = t.schedule;
    t.inputs = std::move(inputs);
    return t;
}

}  // namespace

TEST_CASE("hooks.json holds the six hooks and no secret value") {
    Diagnostics diags;
    const auto files = generate_service(sample_manifest(), diags);
    REQUIRE_FALSE(diags.has_errors());
    const GeneratedFile* hooks = find_file(files, "hooks.json");
    REQUIRE(hooks);
    rapidjson::Document doc;
    REQUIRE_FALSE(doc.Parse(hooks->content.c_str()).HasParseError());
    REQUIRE(doc.IsArray());
    std::set<std::string> ids;
    for (const auto& hook : doc.GetArray()) ids.insert(hook["id"].GetString());
    CHECK(ids == std::set<std::string>{"run", "status", "approve", "health", "runs", "metrics"});
    // Secrets come from the environment when webhook loads the file with -template.
    CHECK(hooks->content.find("{{ getenv `DF_TRIGGER_TOKEN` | js }}") != std::string::npos);
    CHECK(hooks->content.find("{{ getenv `DF_TRIGGER_HMAC_SECRET` | js }}") != std::string::npos);
    CHECK(hooks->content.find("{{ getenv `DF_APPROVE_TOKEN` | js }}") != std::string::npos);
    for (const auto& hook : doc.GetArray()) {
        const std::string id = hook["id"].GetString();
        CHECK(hook.HasMember("trigger-rule") == (id != "health"));
        if (id != "health") CHECK(hook["trigger-rule-mismatch-http-response-code"].GetInt() == 401);
    }
}

TEST_CASE("a hook path webhook cannot serve is an error") {
    Manifest m = sample_manifest();
    m.service.status_hook = "/status\"x";
    Diagnostics diags;
    generate_service(m, diags);
    CHECK(diags.has_errors());
}

TEST_CASE("cron triggers become a crontab of fixed commands and one JSON file of inputs each") {
    Manifest m = sample_manifest();
    const std::string hostile = "$(touch canary) `id` \"q\" 'q' \xC3\xBC\n# 0 * * * * rm -rf /";
    m.workflow.triggers.push_back(cron("*/5 * * * *", {{"message", hostile}}));
    m.workflow.triggers.push_back(cron("30 1 * * 1-5", {}));
    Diagnostics diags;
    const auto files = generate_service(m, diags);
    REQUIRE_FALSE(diags.has_errors());
    const GeneratedFile* crontab = find_file(files, "crontab");
    REQUIRE(crontab);
    CHECK(crontab->content.find("\n*/5 * * * * \"$DF_SKILL_DIR/hooks/cron-run.sh\" 1\n") !=
          std::string::npos);
    CHECK(crontab->content.find("\n30 1 * * 1-5 \"$DF_SKILL_DIR/hooks/cron-run.sh\" 2\n") !=
          std::string::npos);
    CHECK(crontab->content.find("canary") == std::string::npos);
    const GeneratedFile* first = find_file(files, "cron/1.json");
    REQUIRE(first);
    rapidjson::Document doc;
    REQUIRE_FALSE(doc.Parse(first->content.c_str()).HasParseError());
    CHECK(std::string(doc["message"].GetString(), doc["message"].GetStringLength()) == hostile);
    const GeneratedFile* second = find_file(files, "cron/2.json");
    REQUIRE(second);
    CHECK(second->content == "{}\n");
}

TEST_CASE("no cron trigger, no crontab") {
    Diagnostics diags;
    const auto files = generate_service(sample_manifest(), diags);
    CHECK_FALSE(find_file(files, "crontab"));
    CHECK_FALSE(find_file(files, "cron/1.json"));
}

TEST_CASE("a schedule that is not five numeric fields never reaches the crontab") {
    Manifest m = sample_manifest();
    m.workflow.triggers.push_back(cron("* * * * * touch /tmp/x", {}));
    Diagnostics diags;
    const auto files = generate_service(m, diags);
    CHECK(diags.has_errors());
}

TEST_CASE("Requires bins map to Debian packages, unknown ones to a warning and a comment") {
    CHECK(debian_package("git") == std::optional<std::string_view>("git"));
    CHECK(debian_package("psql") == std::optional<std::string_view>("postgresql-client"));
    CHECK(debian_package("tar") == std::optional<std::string_view>(""));
    CHECK_FALSE(debian_package("df-unknown-tool"));

    Manifest m = sample_manifest();
    m.workflow.requirements.bins = {"psql", "tar", "df-unknown-tool"};
    Diagnostics diags;
    const auto files = generate_service(m, diags);
    CHECK(diags.count(Severity::warning) == 1);
    const GeneratedFile* dockerfile = find_file(files, "Dockerfile");
    REQUIRE(dockerfile);
    const std::string& text = dockerfile->content;
    CHECK(text.find(" postgresql-client ") != std::string::npos);
    CHECK(text.find("\n# Requires df-unknown-tool: ") != std::string::npos);
    CHECK(text.rfind("# Generated by compile", 0) == 0);
}

TEST_CASE("the executables are executable and lib.sh is not") {
    Diagnostics diags;
    for (const auto& f : generate_service(sample_manifest(), diags)) {
        const bool executable =
            f.path == "entrypoint" || (f.path.rfind("hooks/", 0) == 0 && f.path != "hooks/lib.sh");
        CHECK((f.mode == 0755) == executable);
        CHECK_FALSE(f.content.empty());
    }
}

}  // namespace df::compiler
