// compile emits the executor (`run` and lib/*.sh) into every skill: the embedded bytes of compiler/runtime/,
// identical for every workflow, `run` executable, and SKILL.md requiring the binaries they call.
#include "compiler/runtime_files.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "compiler/generator.h"
#include "compiler/run_fields.h"

namespace {

df::Manifest manifest(const std::string& title) {
    df::Manifest m;
    m.version = "0123456789ab";
    m.compiler_version = "test";
    m.workflow.title = title;
    m.workflow.name = "a-skill";
    m.workflow.description = "Does $(touch /tmp/x) things.";
    df::Step step;
    step.id = "one";
    step.number = 1;
    step.title = title;
    step.kind = df::StepKind::command;
    step.commands = "echo hi\n";
    m.workflow.steps.push_back(step);
    m.workflow.requirements.bins = {"git", "jq"};
    return m;
}

const df::compiler::GeneratedFile* find(const std::vector<df::compiler::GeneratedFile>& files,
                                        const std::string& path) {
    const auto it = std::find_if(files.begin(), files.end(), [&](const auto& f) { return f.path == path; });
    return it == files.end() ? nullptr : &*it;
}

std::string source_file(const std::string& rel) {
    std::ifstream in(std::string(DF_SOURCE_DIR) + "/compiler/runtime/" + rel, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("every skill carries the executor, byte for byte from compiler/runtime") {
    df::compiler::Diagnostics d1, d2;
    const auto a = df::compiler::generate_skill(manifest("First"), d1);
    const auto b = df::compiler::generate_skill(manifest("Second `$(rm -rf /)`"), d2);
    REQUIRE(std::size(df::compiler::runtime::kFiles) == 14);
    for (const std::string_view name : df::compiler::runtime::kFiles) {
        const std::string path(name);
        INFO(path);
        const auto* fa = find(a, path);
        const auto* fb = find(b, path);
        REQUIRE(fa != nullptr);
        REQUIRE(fb != nullptr);
        CHECK(fa->content == fb->content);
        CHECK(fa->content == source_file(path));
        CHECK_FALSE(fa->content.empty());
        CHECK(fa->mode == (path == "run" ? 0755u : 0644u));
        // Workflow text never reaches the executor's files.
        CHECK(fb->content.find("rm -rf /") == std::string::npos);
    }
    CHECK(df::compiler::runtime::embedded_file("skill.json").empty());
}

TEST_CASE("SKILL.md requires the executor's binaries, then the workflow's, without duplicates") {
    df::compiler::Diagnostics diags;
    const auto files = df::compiler::generate_skill(manifest("First"), diags);
    const auto* skill = find(files, "SKILL.md");
    REQUIRE(skill != nullptr);
    CHECK(skill->content.find(R"("bins":["bash","jq","curl","flock","setsid","timeout","git"])") !=
          std::string::npos);
    CHECK(skill->content.find("{baseDir}/run --approve RUN_ID") != std::string::npos);
    CHECK(skill->content.find("--step ID --workdir DIR") != std::string::npos);
}

TEST_CASE("skill.fields: jq's string escapes, and every field on one line") {
    using df::compiler::jq_quote;
    CHECK(jq_quote("plain") == "\"plain\"");
    CHECK(jq_quote("a\"b\\c") == "\"a\\\"b\\\\c\"");
    CHECK(jq_quote("\b\t\n\f\r") == "\"\\b\\t\\n\\f\\r\"");
    CHECK(jq_quote(std::string("\x01\x1f\x7f", 3)) == "\"\\u0001\\u001f\\u007f\"");
    CHECK(jq_quote("Über — ok") == "\"Über — ok\"");

    df::Manifest m = manifest("Say \"hi\"");
    m.workflow.steps[0].commands = "echo a\\nb\nsecond line\n";
    df::Input in;
    in.name = "env";
    in.type = df::InputType::choice;
    in.choices = {"dev", "prod"};
    in.default_value = "dev";
    in.secret = true;
    in.env_alias = "ENV";
    m.workflow.inputs.push_back(in);
    const std::string text = df::compiler::run_fields(m);
    std::vector<std::string> lines;
    std::istringstream s(text);
    for (std::string line; std::getline(s, line);) lines.push_back(line);
    // The header, the three lines of names, then the values in the order the names give.
    REQUIRE(lines.size() == 4 + 31 + 22 + 8);
    CHECK(lines[0] == df::compiler::kRunFieldsHeader);
    CHECK(lines[1].rfind("run name version title run_timeout_seconds ", 0) == 0);
    CHECK(lines[2] ==
          "step id kind title timeout_seconds retries commands needs undoes foreach_var foreach_list "
          "continue_on_error approval approvers approval_timeout if_left if_op if_right uses with json_id "
          "json_title "
          "json_kind");
    CHECK(lines[3] == "input name type required has_default default secret env_alias choices");
    // value reads the value of the field named `name` as the executor does: by its position among the names.
    const auto value = [&](std::size_t names_line, std::string_view name, std::size_t first,
                           std::size_t nth = 0) {
        std::istringstream words(lines[names_line]);
        std::vector<std::string> names;
        for (std::string w; words >> w;) names.push_back(w);
        const auto at = std::find(names.begin() + 1, names.end(), name);
        REQUIRE(at != names.end());
        return lines[first + nth * (names.size() - 1) + static_cast<std::size_t>(at - names.begin() - 1)];
    };
    CHECK(value(1, "name", 4) == "a-skill");
    CHECK(value(1, "title", 4) == "Say \"hi\"");
    CHECK(value(1, "history_days", 4) == "30");  // the default
    CHECK(value(1, "history_runs", 4) == "1000");
    CHECK(value(1, "steps", 4) == "1");
    CHECK(value(1, "inputs", 4) == "1");
    CHECK(value(1, "json_name", 4) == "\"a-skill\"");
    // The rule of inputs for undeclared outputs: the names taken (the input and its alias) and the regexes.
    CHECK(value(1, "env_taken", 4) == "ENV env");
    CHECK(value(1, "env_loader_re", 4) == "^(LD_|BASH_|DYLD_)");
    CHECK(value(1, "env_rely_re", 4).rfind("^(PATH|HOME|IFS|", 0) == 0);
    CHECK(value(2, "id", 35) == "one");
    CHECK(value(2, "needs", 35) == "-");  // no `Needs:`: it follows the step before it
    CHECK(value(1, "parallel", 4).empty());
    CHECK(value(2, "commands", 35) ==
          "echo a\\\\nb\\nsecond line\\n");                         // a backslash doubled, newlines as \n
    CHECK(value(2, "json_title", 35) == "\"Say \\\\\"hi\\\\\"\"");  // jq's \" with its backslash doubled
    CHECK(value(2, "uses", 35).empty());
    CHECK(value(2, "with", 35) == "{}");
    CHECK(std::vector<std::string>(lines.begin() + 57, lines.end()) ==
          std::vector<std::string>{"env", "choice", "", "1", "dev", "1", "ENV", "dev\\nprod\\n"});

    df::compiler::Diagnostics diags;
    const auto files = df::compiler::generate_skill(m, diags);
    const auto* fields = find(files, "skill.fields");
    REQUIRE(fields != nullptr);
    CHECK(fields->content == text);
}
