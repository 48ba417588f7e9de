// skill.json: what write_manifest writes, read_manifest reads back into the same Manifest.
#include "common/manifest.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "tests/unit/support.h"

using namespace df;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream all;
    all << in.rdbuf();
    return all.str();
}

Manifest manifest_of(const std::string& path) {
    const auto p = test::parse(slurp(path), path);
    INFO(p.rendered());
    REQUIRE(p.ok());
    Manifest m;
    m.version = "0123456789ab";
    m.compiler_version = "9.9.9";
    m.source_path = "../../workflow.md";
    m.source_sha256 = std::string(64, 'f');
    m.workflow = p.wf;
    test::drop_columns(m.workflow);
    return m;
}

}  // namespace

TEST_CASE("every workflow template survives write_manifest → read_manifest unchanged") {
    const std::string dir = test::source_dir() + "/workflow-templates";
    int count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".md") continue;
        INFO(entry.path());
        const Manifest m = manifest_of(entry.path());
        const std::string json = write_manifest(m);
        const auto back = read_manifest(json, "skill.json");
        REQUIRE(back);
        CHECK(*back == m);
        CHECK(write_manifest(*back) == json);  // and writes back byte for byte
        ++count;
    }
    CHECK(count >= 4);
}

TEST_CASE("a manifest with every optional part filled round-trips too") {
    Manifest m = manifest_of(test::source_dir() + "/workflow-templates/deploy-service.md");
    Workflow& wf = m.workflow;
    wf.policy.step_timeout_seconds = 30;
    wf.policy.concurrency = Policy::Concurrency{3, "service_name"};
    wf.policy.memory_limit_bytes = 5ULL << 40;  // beyond 32 bits
    wf.policy.retries = 2;
    wf.steps[0].timeout_seconds = 5;
    wf.steps[0].retries = 1;
    wf.steps[0].samples.push_back({"json", "{\"a\": \"\\u0000\"}\n"});
    wf.inputs[0].secret = true;
    wf.inputs[0].default_value = "quote \" backslash \\ newline \n tab \t nul-free ✓";
    wf.triggers.push_back({Trigger::Kind::cron, "0 3 * * *", "@daily", {{"service_name", "x"}}, {9, 0}});
    wf.notes.push_back({"Team", "- a\n- b", {12, 0}});
    wf.requirements.env = {"API_TOKEN"};
    wf.example_inputs = {{"service_name", "ünïcode"}};
    m.service.port = 9100;
    const auto back = read_manifest(write_manifest(m), "skill.json");
    REQUIRE(back);
    CHECK(*back == m);
}

TEST_CASE("the manifest is deterministic, pretty-printed and ends with a newline") {
    const Manifest m = manifest_of(test::source_dir() + "/workflow-templates/run-tests.md");
    const std::string a = write_manifest(m), b = write_manifest(m);
    CHECK(a == b);
    CHECK(a.back() == '\n');
    CHECK(a.rfind("{\n  \"schema_version\": 1,\n  \"name\": \"run-tests\",", 0) == 0);
}

TEST_CASE("read_manifest refuses what it cannot trust, saying why") {
    const std::string good =
        write_manifest(manifest_of(test::source_dir() + "/workflow-templates/run-tests.md"));
    auto error_of = [](std::string_view json) {
        const auto r = read_manifest(json, "x/skill.json");
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ExitCode::data_error);
        return r.error().message;
    };
    CHECK(error_of("{").find("x/skill.json: invalid JSON at byte offset 1") == 0);
    CHECK(error_of("[]").find("must be an object") != std::string::npos);
    std::string v2 = good;
    v2.replace(v2.find("\"schema_version\": 1"), 19, "\"schema_version\": 2");
    CHECK(error_of(v2).find("schema_version 2 is not supported") != std::string::npos);
    std::string foreign = good;
    foreign.replace(foreign.find(std::string(kCompilerName)), kCompilerName.size(), "someone-else");
    CHECK(error_of(foreign).find("not written by dark-factory-compile") != std::string::npos);
    std::string typed = good;
    typed.replace(typed.find("\"retries\": 0"), 12, "\"retries\": \"0\"");
    CHECK(error_of(typed).find("field 'policy.retries' must be an integer") != std::string::npos);
    std::string missing = good;
    missing.replace(missing.find("\"title\""), 7, "\"titel\"");
    CHECK(error_of(missing).find("field 'title' is missing") != std::string::npos);
    CHECK(error_of("{\"schema_version\": 1, \"name\": \"\xFF\"}").find("invalid JSON") != std::string::npos);
}

TEST_CASE("load_manifest: a folder without skill.json is not a compiled skill") {
    const auto r = load_manifest("/nonexistent-df-folder");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ExitCode::no_input);
    CHECK(r.error().message.find("'/nonexistent-df-folder' is not a compiled skill") == 0);
}
