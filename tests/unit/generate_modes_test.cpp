// `compile --check` generates with Generate::diagnostics: it must report exactly what writing would, and
// the SKILL.md it sizes must be the one writing produces.
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "compiler/generator.h"
#include "compiler/service.h"
#include "tests/unit/support.h"

namespace df::compiler {
namespace {

Manifest manifest_of(const std::string& markdown) {
    const auto parsed = test::parse(markdown);
    REQUIRE(parsed.ok());
    Manifest m;
    m.version = "0123456789ab";
    m.compiler_version = "test";
    m.source_path = "../wf.md";
    m.workflow = parsed.wf;
    return m;
}

std::string read_template(const std::string& name) {
    std::ifstream in(test::source_dir() + "/workflow-templates/" + name, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A workflow with `steps` command steps of about `bytes_per_step` bytes of commands and `prose` bytes of
// description each.
std::string big_workflow(int steps, std::size_t bytes_per_step, std::size_t prose = 16) {
    std::string text = "# Workflow: Big Flow\n\n## Description\nA large workflow.\n\n## Steps\n";
    const std::string line = "echo " + std::string(64, 'x') + "\n";
    for (int i = 1; i <= steps; ++i) {
        text += "### " + std::to_string(i) + ". Step " + std::to_string(i) + "\n" + std::string(prose, 'p') +
                "\n\n```sh\n";
        for (std::size_t n = 0; n < bytes_per_step / line.size(); ++n) text += line;
        text += "```\n\n";
    }
    return text + "## Rollback\n1. **Undo**\n   ```sh\n   echo undo\n   ```\n";
}

std::string listed(const Diagnostics& diags) {
    std::string out;
    for (const auto& d : diags.all()) {
        out += std::string(to_string(d.severity)) + " " + std::to_string(d.pos.line) + ":" +
               std::to_string(d.pos.column) + " " + d.message + "\n";
    }
    return out;
}

// Generates `m` both ways; returns the diagnostics (the same both ways) and the full file list.
std::string check_both_ways(const Manifest& m) {
    Diagnostics full, check;
    const auto files = generate_skill(m, full, Generate::files);
    const auto checked = generate_skill(m, check, Generate::diagnostics);
    CHECK(listed(check) == listed(full));
    REQUIRE(checked.size() == 1);
    CHECK(checked[0].path == "SKILL.md");
    REQUIRE(files.size() > 1);
    CHECK(checked[0].content == files[0].content);
    return listed(full);
}

}  // namespace

TEST_CASE("generating for --check reports what writing reports: the templates") {
    for (const char* name : {"deploy-service.md", "run-tests.md", "backup-data.md", "security-scan.md"}) {
        INFO(name);
        check_both_ways(manifest_of(read_template(name)));
    }
}

TEST_CASE("generating for --check reports what writing reports: service problems") {
    Manifest m = manifest_of(test::workflow("## Requires\n- `df-unknown-tool`\n- `psql`\n"));
    m.service.status_hook = "/status\"x";
    Trigger bad;
    bad.kind = Trigger::Kind::cron;
    bad.schedule = bad.written = "* * * * * touch /tmp/x";
    m.workflow.triggers.push_back(bad);
    const std::string diags = check_both_ways(m);
    CHECK(diags.find("no known Debian package") != std::string::npos);
    CHECK(diags.find("is not /hooks/<name>") != std::string::npos);
    CHECK(diags.find("is not five numeric fields") != std::string::npos);
    Diagnostics only_service;
    CHECK(generate_service(m, only_service, Generate::diagnostics).empty());
    CHECK(only_service.count(Severity::error) == 2);
}

TEST_CASE("generating for --check reports what writing reports: a SKILL.md near and over the size limit") {
    // About 200 KB of commands: SKILL.md would be close to the limit, so its steps show no commands.
    const Manifest near = manifest_of(big_workflow(180, 1100));
    const std::string near_diags = check_both_ways(near);
    CHECK(near_diags.find("close to OpenClaw's limit") != std::string::npos);
    CHECK(near_diags.find("error") == std::string::npos);
    Diagnostics diags;
    const auto files = generate_skill(near, diags);
    REQUIRE(files[0].path == "SKILL.md");
    CHECK(files[0].content.size() < kMaxSkillFileBytes * 8 / 10);
    CHECK(files[0].content.find("lines) are in `skill.json`") != std::string::npos);
    CHECK(files[0].content.find("echo xxxx") == std::string::npos);
    // Even the compact steps are too many: an error.
    const std::string over_diags = check_both_ways(manifest_of(big_workflow(900, 70, 300)));
    CHECK(over_diags.find("over OpenClaw's limit") != std::string::npos);
}

}  // namespace df::compiler
