// Steps in every form PRODUCT.md and the seed show, and the seed's own workflow end to end.
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "compiler/children.h"
#include "tests/unit/support.h"

using namespace df;
using df::test::parse;
using df::test::workflow;

namespace {

// The ```markdown example of the seed README (tests/data/seed-readme-workflow.md is a copy of it).
std::string seed_workflow() {
    std::ifstream in(test::source_dir() + "/tests/data/seed-readme-workflow.md");
    std::stringstream all;
    all << in.rdbuf();
    const std::string text = all.str();
    const auto begin = text.find("```markdown\n") + 12;
    const auto end = text.find("\n```\n", begin);
    return text.substr(begin, end - begin + 1);
}

}  // namespace

TEST_CASE("the seed's Deploy Service workflow parses as the seed describes it") {
    const auto p = parse(seed_workflow());
    INFO(p.rendered());
    REQUIRE(p.ok());
    const Workflow& wf = p.wf;
    CHECK(wf.title == "Deploy Service");
    CHECK(wf.name == "deploy-service");
    CHECK(wf.description == "Deploys a service to Coolify with health checks and rollback capability.");
    REQUIRE(wf.inputs.size() == 3);
    CHECK(wf.inputs[0].name == "service_name");
    CHECK(wf.inputs[0].required);
    CHECK(wf.inputs[0].description == "Name of the service to deploy");
    CHECK(wf.inputs[2].name == "branch");
    CHECK_FALSE(wf.inputs[2].required);
    CHECK(wf.inputs[2].default_value == std::optional<std::string>("main"));
    REQUIRE(wf.steps.size() == 3);
    CHECK(wf.steps[0].title == "Clone Repository");
    CHECK(wf.steps[0].id == "clone-repository");
    CHECK(wf.steps[0].kind == StepKind::agent);
    CHECK(wf.steps[0].instructions ==
          std::vector<std::string>{"Checkout specified branch", "Validate dockerfile exists"});
    CHECK(wf.steps[2].title == "Deploy & Verify");
    CHECK(wf.steps[2].id == "deploy-verify");
    CHECK(wf.steps[2].instructions.size() == 3);
    REQUIRE(wf.outputs.size() == 3);
    CHECK(wf.outputs[0].name == "deployment_url");
    CHECK(wf.outputs[0].description == "Live service URL");
    REQUIRE(wf.guardrails.size() == 3);
    CHECK(wf.guardrails[0].kind == GuardrailKind::run_timeout);
    CHECK(wf.policy.run_timeout_seconds == 600);
    CHECK(wf.guardrails[1].kind == GuardrailKind::auto_rollback);
    CHECK(wf.policy.auto_rollback);
    CHECK(wf.guardrails[2].kind == GuardrailKind::approval);
    // The seed has no input that can be "production": every run needs approval, and compile says so.
    REQUIRE(wf.policy.approval);
    CHECK(wf.policy.approval->when_input.empty());
    CHECK(p.has_warning("the approval condition 'production' matches no input"));
    REQUIRE(wf.triggers.size() == 1);
    CHECK(wf.triggers[0].kind == Trigger::Kind::http);
}

TEST_CASE("heading steps: prose is an agent step, a ```sh or ```bash block makes a command step") {
    const auto p =
        parse(workflow("## Steps\n"
                       "### 1. Check out\n"
                       "Clone the branch.\n\n"
                       "```sh\n"
                       "git clone \"$repo\" repo\n"
                       "```\n\n"
                       "### 2. Build it\n"
                       "```bash\n"
                       "cd repo\n"
                       "make\n"
                       "```\n\n"
                       "### 3. Summarise\n"
                       "Read the log and write **two** sentences.\n\n"
                       "- name the failing test\n"));
    INFO(p.rendered());
    REQUIRE(p.ok());
    REQUIRE(p.wf.steps.size() == 3);
    const Step& s1 = p.wf.steps[0];
    CHECK(s1.title == "Check out");
    CHECK(s1.number == 1);
    CHECK(s1.kind == StepKind::command);
    CHECK(s1.description == "Clone the branch.");
    CHECK(s1.commands == "git clone \"$repo\" repo\n");
    CHECK(s1.pos.line == 7);
    CHECK(p.wf.steps[1].kind == StepKind::command);
    CHECK(p.wf.steps[1].commands == "cd repo\nmake\n");
    const Step& s3 = p.wf.steps[2];
    CHECK(s3.kind == StepKind::agent);
    CHECK(s3.commands.empty());
    CHECK(s3.description == "Read the log and write two sentences.");
    CHECK(s3.instructions == std::vector<std::string>{"name the failing test"});
}

TEST_CASE("list steps: `1. **Title**` with nested bullets and a nested ```sh block") {
    const auto p =
        parse(workflow("## Steps\n"
                       "1. **Clone Repository**\n"
                       "   - Checkout specified branch\n"
                       "   ```sh\n"
                       "   git clone --branch \"$branch\" -- \"$repo\" repo\n"
                       "   ```\n"
                       "2. **Verify:** check that it builds\n"
                       "   - Run the smoke tests\n"
                       "3. Report the result. Mention the commit.\n"));
    INFO(p.rendered());
    REQUIRE(p.ok());
    REQUIRE(p.wf.steps.size() == 3);
    CHECK(p.wf.steps[0].title == "Clone Repository");
    CHECK(p.wf.steps[0].kind == StepKind::command);
    CHECK(p.wf.steps[0].commands == "git clone --branch \"$branch\" -- \"$repo\" repo\n");
    CHECK(p.wf.steps[0].instructions == std::vector<std::string>{"Checkout specified branch"});
    CHECK(p.wf.steps[1].title == "Verify");
    CHECK(p.wf.steps[1].description == "check that it builds");
    CHECK(p.wf.steps[1].kind == StepKind::agent);
    // Without bold text the first sentence is the title.
    CHECK(p.wf.steps[2].title == "Report the result");
    CHECK(p.wf.steps[2].description == "Report the result. Mention the commit.");
}

TEST_CASE("commands are kept byte for byte: tabs, heredocs, quotes, blank lines") {
    const std::string script =
        "cat <<-EOF >out\n\tindented with a tab\n\tEOF\n\necho '$(not run)' \"`x`\" \\\n  --flag\n";
    const auto p = parse(workflow("## Steps\n### 1. Write\n```sh\n" + script + "```\n"));
    REQUIRE(p.ok());
    CHECK(p.wf.steps[0].commands == script);
}

TEST_CASE("several shell blocks in one step run in order; other languages are samples for the agent") {
    const auto p =
        parse(workflow("## Steps\n### 1. Mixed\n```sh\necho one\n```\n\n```json\n{\"a\": 1}\n```\n\n"
                       "```shell\necho two\n```\n\n```\nplain\n```\n"));
    INFO(p.rendered());
    REQUIRE(p.ok());
    const Step& s = p.wf.steps[0];
    CHECK(s.commands == "echo one\necho two\n");
    REQUIRE(s.samples.size() == 2);
    CHECK(s.samples[0].language == "json");
    CHECK(s.samples[0].code == "{\"a\": 1}\n");
    CHECK(s.samples[1].language.empty());
    CHECK(p.has_warning("a code block without a language in step 'Mixed' is shown to the agent, not run"));
}

TEST_CASE("step titles: 'Step 2: Title', '2 Title', numbering that does not match, ids unique") {
    const auto p =
        parse(workflow("## Steps\n### Step 1: Fetch\n- get it\n### 3) Fetch\n- again\n"
                       "### 3 Build & Test\n- go\n### 4. Build/Test\n- go\n"));
    INFO(p.rendered());
    REQUIRE(p.ok());
    REQUIRE(p.wf.steps.size() == 4);
    CHECK(p.wf.steps[0].title == "Fetch");
    CHECK(p.wf.steps[2].title == "Build & Test");
    CHECK(p.has_warning("step numbered 3 is step 2 of Steps"));
    // Titles that slug alike are separate steps with -2, -3 … in order, like heading anchors.
    CHECK(p.wf.steps[0].id == "fetch");
    CHECK(p.wf.steps[1].id == "fetch-2");
    CHECK(p.wf.steps[2].id == "build-test");
    CHECK(p.wf.steps[3].id == "build-test-2");
}

TEST_CASE("step directives: `Timeout: 2 minutes` and `Retries: 3` configure the step") {
    const auto p =
        parse(workflow("## Steps\n### 1. Slow\n- Timeout: 2 minutes\n- Retries: 3\n- Be patient\n"
                       "```sh\nsleep 1\n```\n"));
    INFO(p.rendered());
    REQUIRE(p.ok());
    const Step& s = p.wf.steps[0];
    CHECK(s.timeout_seconds == 120);
    CHECK(s.retries == 3);
    CHECK(s.instructions == std::vector<std::string>{"Be patient"});
}

TEST_CASE("an agent step without any instructions gets a warning; an empty shell block too") {
    const auto p = parse(workflow("## Steps\n### 1. Think\n### 2. Empty\n```sh\n```\n"));
    INFO(p.rendered());
    CHECK(p.has_warning("step 'Think' has no instructions"));
    CHECK(p.has_warning("empty `sh` block in step 'Empty'"));
}

TEST_CASE("Rollback steps are read like steps; their ids share the namespace of the steps") {
    const auto p =
        parse(workflow("## Steps\n1. **Deploy**\n   - go\n\n## Rollback\n1. **Restore**\n   ```sh\n"
                       "   git checkout previous\n   ```\n2. **Deploy**\n   - again\n"));
    INFO(p.rendered());
    REQUIRE(p.wf.rollback.size() == 2);
    CHECK(p.wf.rollback[0].kind == StepKind::command);
    CHECK(p.wf.rollback[0].commands == "git checkout previous\n");
    CHECK(p.wf.rollback[1].id == "deploy-2");
}

TEST_CASE("no steps, or a Steps section without any, is an error with a position") {
    const auto none = parse("# Workflow: Idle\n\n## Description\nNothing.\n");
    CHECK(none.find("no `## Steps` section").pos.line == 1);
    const auto empty = parse("# Workflow: Idle\n\n## Steps\nJust words.\n");
    CHECK(empty.has_error("the Steps section has no steps"));
    CHECK(empty.has_warning("text before the first step of Steps is ignored"));
}

TEST_CASE("an indented code block is shown to the agent, not run (it once crashed compile)") {
    const auto p =
        parse(workflow("## Steps\n### 1. Look\nSee this:\n\n    indented code\n\n### 2. Next\n- go\n"));
    INFO(p.rendered());
    REQUIRE(p.ok());
    const Step& s = p.wf.steps[0];
    CHECK(s.kind == StepKind::agent);
    REQUIRE(s.samples.size() == 1);
    CHECK(s.samples[0].code == "indented code\n");
    CHECK(s.samples[0].language.empty());
    CHECK(parse("\n  \n\t2\n[").has_error("no title"));
}

TEST_CASE("`Uses:` and `With:` make a child-workflow step; keys case-insensitive, With kept as written") {
    const auto p = parse(
        "# Workflow: W\n\n## Steps\n### 1. Deploy\nShips it.\n- uses: deploy.md\n- WITH: service=$svc, "
        "note=\"a, b\"\n");
    INFO(p.rendered());
    REQUIRE(p.ok());
    const Step& s = p.wf.steps.at(0);
    CHECK(s.kind == StepKind::workflow);
    CHECK(s.uses_source == "deploy.md");
    CHECK(s.with_written == "service=$svc, note=\"a, b\"");
    CHECK(s.uses_pos.line == 6);
    CHECK(s.with_pos.line == 7);
    CHECK(s.description == "Ships it.");
    CHECK(s.instructions.empty());
}

TEST_CASE("With: name=value pairs; a quoted value keeps its commas; what is no pair is an error") {
    const auto with = df::compiler::parse_with(R"(a=$x, b="one, two" ,c=${y}z, d=)");
    CHECK(with.error.empty());
    CHECK(with.pairs == KeyValues{{"a", "$x"}, {"b", "one, two"}, {"c", "${y}z"}, {"d", ""}});
    CHECK(df::compiler::parse_with("a=1, b").error.find("'b' is none") != std::string::npos);
    CHECK(df::compiler::parse_with("a=\"open").error.find("closing \" is missing") != std::string::npos);
    CHECK(df::compiler::parse_with("a=1, a=2").error == "`With:` gives 'a' twice");
}
