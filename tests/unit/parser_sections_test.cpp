// Inputs, outputs, error handling, example usage, Requires, unknown sections, and the document's shape.
#include <fstream>
#include <iterator>

#include <catch2/catch.hpp>

#include "compiler/input_names.h"
#include "tests/unit/support.h"

using namespace df;
using df::test::parse;
using df::test::workflow;

namespace {

const Input& input(const test::Parsed& p, std::string_view name) {
    const Input* in = find_input(p.wf, name);
    INFO(p.rendered());
    REQUIRE(in);
    return *in;
}

}  // namespace

TEST_CASE("inputs: every way of writing required, optional, defaults and choices") {
    const auto p =
        parse(workflow("## Inputs\n"
                       "- `service_name`: Name of the service\n"
                       "- `git_repo` (required): Repository URL\n"
                       "- `branch`: Git branch (default: main)\n"
                       "- `tag`: (default: `v1.0`) the tag to deploy\n"
                       "- `region`: Region, defaults to eu-west-1, where it runs\n"
                       "- `environment`: staging | production (default: staging)\n"
                       "- `level`: `low` | `medium` | `high`\n"
                       "- `fruit`: one of: apple, pear, plum\n"
                       "- `notes` (optional): Free text\n"
                       "- `replicas` (number): How many (default: 3)\n"
                       "- `dry` (boolean): Only pretend (default: false)\n"
                       "- `api_token` (required): Token for the API\n"
                       "- `password` (secret, optional): Extra secret\n"
                       "- **owner**: Team that owns it\n"
                       "- reviewer: Person who reviews\n"
                       "- `greeting`: a friendly default greeting (default: hello)\n"));
    INFO(p.rendered());
    REQUIRE(p.ok());
    CHECK(p.wf.inputs.size() == 16);
    CHECK(input(p, "service_name").required);  // no default and not optional: required
    CHECK(input(p, "service_name").description == "Name of the service");
    CHECK(input(p, "git_repo").required);
    CHECK(input(p, "git_repo").description == "Repository URL");
    CHECK_FALSE(input(p, "branch").required);
    CHECK(input(p, "branch").default_value == std::optional<std::string>("main"));
    CHECK(input(p, "tag").default_value == std::optional<std::string>("v1.0"));
    CHECK(input(p, "region").default_value == std::optional<std::string>("eu-west-1"));
    const Input& env = input(p, "environment");
    CHECK(env.type == InputType::choice);
    CHECK(env.choices == std::vector<std::string>{"staging", "production"});
    CHECK(env.default_value == std::optional<std::string>("staging"));
    CHECK(input(p, "level").choices == std::vector<std::string>{"low", "medium", "high"});
    CHECK(input(p, "level").required);
    CHECK(input(p, "fruit").choices == std::vector<std::string>{"apple", "pear", "plum"});
    CHECK_FALSE(input(p, "notes").required);
    CHECK(input(p, "replicas").type == InputType::number);
    CHECK(input(p, "replicas").default_value == std::optional<std::string>("3"));
    CHECK(input(p, "dry").type == InputType::boolean);
    CHECK(input(p, "api_token").secret);  // by its name
    CHECK(input(p, "password").secret);
    CHECK_FALSE(input(p, "password").required);
    CHECK_FALSE(input(p, "branch").secret);
    CHECK(input(p, "owner").description == "Team that owns it");
    CHECK(input(p, "reviewer").description == "Person who reviews");
    // The word "default" in the prose is not the default; the parenthesised form wins.
    CHECK(input(p, "greeting").default_value == std::optional<std::string>("hello"));
    CHECK(input(p, "git_repo").pos.line == 8);
    CHECK(input(p, "git_repo").pos.column == 4);
}

TEST_CASE("inputs: defaults that do not fit their type or choices, required with a default") {
    const auto p =
        parse(workflow("## Inputs\n"
                       "- `mode`: fast | slow (default: medium)\n"
                       "- `count` (number): How many (default: lots)\n"
                       "- `flag` (boolean): On or off (default: maybe)\n"
                       "- `name` (required): Who (default: me)\n"));
    INFO(p.rendered());
    CHECK(p.has_error("the default 'medium' of input 'mode' is not one of its choices (fast, slow)"));
    CHECK(p.has_error("the default 'lots' of number input 'count' is not a number"));
    CHECK(p.has_error("the default 'maybe' of boolean input 'flag' is not true or false"));
    CHECK(p.has_warning("input 'name' is marked required but has a default"));
}

TEST_CASE("inputs: duplicate, invalid, upper-case and reserved names are errors naming the input") {
    const auto p =
        parse(workflow("## Inputs\n"
                       "- `branch`: one\n"
                       "- `branch`: two\n"
                       "- `9lives`: starts with a digit\n"
                       "- `PATH`: the search path\n"
                       "- `ld_preload`: loader\n"
                       "- `BASH_ENV`: shell startup\n"
                       "- `DF_OUTPUT`: ours\n"
                       "- `IFS`: field separator\n"
                       "- `OPENCLAW_GATEWAY_TOKEN`: the gateway's\n"
                       "- `GCONV_PATH`: the C library's\n"
                       "- `Foo`: mixed case\n"
                       "- just text without a name marker\n"));
    INFO(p.rendered());
    CHECK(p.find("duplicate input 'branch' (first declared on line 7)").pos.line == 8);
    CHECK(p.has_error("invalid input name '9lives'"));
    for (const char* name :
         {"PATH", "ld_preload", "BASH_ENV", "DF_OUTPUT", "IFS", "OPENCLAW_GATEWAY_TOKEN", "GCONV_PATH"}) {
        INFO(name);
        CHECK(p.has_error(std::string("input name '") + name + "' clashes with an environment variable"));
    }
    // The executor refuses any name outside ^[a-z][a-z0-9_]{0,63}$ ("skill.fields is damaged"): so does
    // compile.
    CHECK(p.has_error("input name 'Foo' is not lower case"));
    CHECK(p.has_error("write 'foo'"));
}

TEST_CASE("inputs: lower-case names clash with nothing; upper-case aliases only where safe") {
    const auto p =
        parse(workflow("## Inputs\n- `git_repo`: repo\n- `ssh_host`: host\n- `user`: who\n"
                       "- `home`: page\n- `git_dir`: a folder\n- `df_mode`: ours\n- `language`: lang\n"));
    INFO(p.rendered());
    REQUIRE(p.ok());
    REQUIRE(p.wf.inputs.size() == 7);
    CHECK(p.wf.inputs[0].env_alias == "GIT_REPO");
    CHECK(p.wf.inputs[1].env_alias == "SSH_HOST");
    for (std::size_t i = 2; i < 7; ++i) {
        INFO(p.wf.inputs[i].name);
        CHECK(p.wf.inputs[i].env_alias.empty());
    }
    CHECK(p.has_warning(
        "input 'user' reaches command steps only as `$user`: `$USER` is an environment variable "
        "steps rely on, so it is left as it is"));
    CHECK(p.has_warning("input 'git_dir' reaches command steps only as `$git_dir`: `$GIT_DIR`"));
}

TEST_CASE("inputs: the compiler's name rule is the executor's") {
    // lib/runtime.sh's _DF_NAME_RE is the same pattern as kInputNamePattern.
    for (const char* file : {"/compiler/runtime/lib/runtime.sh"}) {
        std::ifstream in(test::source_dir() + file);
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        INFO(file);
        CHECK(text.find(std::string(compiler::kInputNamePattern)) != std::string::npos);
    }
}

TEST_CASE("inputs named like run's own options get a warning that says how to give them") {
    const auto p =
        parse(workflow("## Inputs\n- `status`: a status (default: open)\n- `dry_run`: x (default: "
                       "no)\n- `state`: fine (default: a)\n"));
    REQUIRE(p.ok());
    CHECK(p.has_warning(
        "input 'status' has the name of run's own option --status: on run's command line give it "
        "with --inputs-json (HTTP and cron triggers are not affected)"));
    CHECK(p.has_warning("input 'dry_run' has the name of run's own option --dry-run"));
    CHECK_FALSE(p.has_warning("input 'state'"));
}

namespace {

// Each `--option` in the body of the bash function `function` of the runtime file `file`, as an input name,
// checked against compile's list; returns how many there are.
int check_run_options(const std::string& file, const std::string& function) {
    std::ifstream in(test::source_dir() + "/compiler/runtime/" + file);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto begin = text.find(function + "() {");
    const auto end = text.find("\n}\n", begin);
    REQUIRE(begin != std::string::npos);
    const std::string body = text.substr(begin, end - begin);
    int found = 0;
    for (std::size_t at = body.find("--"); at != std::string::npos; at = body.find("--", at + 2)) {
        std::size_t stop = at + 2;
        while (stop < body.size() &&
               (std::islower(static_cast<unsigned char>(body[stop])) || body[stop] == '-')) {
            ++stop;
        }
        if (stop == at + 2 || (stop < body.size() && body[stop] == '*')) continue;  // `--*=*`, `--?*`
        std::string name = body.substr(at + 2, stop - at - 2);
        std::replace(name.begin(), name.end(), '-', '_');
        INFO(name);
        CHECK(compiler::is_run_option(name));
        ++found;
    }
    return found;
}

}  // namespace

TEST_CASE("inputs: every option of run's command line is known to compile's option check") {
    CHECK(check_run_options("lib/main.sh", "df_parse_args") >= 14);
    CHECK(check_run_options("lib/evidence/commands.sh", "df_evidence_command") >= 5);
}

TEST_CASE("outputs: names and descriptions; duplicates are errors") {
    const auto p =
        parse(workflow("## Outputs\n- `deployment_url`: Live service URL\n- `health`: Health\n"
                       "- `health`: again\n"));
    REQUIRE(p.wf.outputs.size() == 2);
    CHECK(p.wf.outputs[0].name == "deployment_url");
    CHECK(p.wf.outputs[0].description == "Live service URL");
    CHECK(p.has_error("duplicate output 'health'"));
}

TEST_CASE("error handling is kept as Markdown for the agent") {
    const auto p =
        parse(workflow("## Error Handling\n- If the clone fails, stop.\n- Otherwise roll back.\n"));
    REQUIRE(p.ok());
    CHECK(p.wf.error_handling == "- If the clone fails, stop.\n- Otherwise roll back.");
}

TEST_CASE("example usage: the ```yaml block gives example inputs") {
    const auto p =
        parse(workflow("## Inputs\n- `service_name`: Name\n- `branch`: Branch (default: main)\n"
                       "- `environment`: staging | production (default: staging)\n\n"
                       "## Example Usage\n```yaml\n# a comment\nservice_name: \"billing-api\"\n"
                       "branch: release # trailing comment\nenvironment: moon\nunknown: 1\n"
                       "  nested: no\n```\n"));
    INFO(p.rendered());
    CHECK(p.wf.example_inputs ==
          KeyValues{{"service_name", "billing-api"}, {"branch", "release"}, {"environment", "moon"}});
    CHECK(p.has_warning("the example sets 'unknown', which is not an input"));
    CHECK(p.has_warning("only flat `name: value` pairs are read"));
    CHECK(p.has_warning(
        "the example gives input 'environment' the value 'moon', which is not one of its choices"));
}

TEST_CASE("Requires: bins and env lists, one per line, and bad names") {
    const auto p =
        parse(workflow("## Requires\n- bins: git, curl\n- env: API_URL\n- `jq`\n"
                       "- `GITHUB_TOKEN` environment variable\n- DEPLOY_KEY\n- bins: rm;reboot\n"));
    INFO(p.rendered());
    CHECK(p.wf.requirements.bins == std::vector<std::string>{"git", "curl", "jq"});
    CHECK(p.wf.requirements.env == std::vector<std::string>{"API_URL", "GITHUB_TOKEN", "DEPLOY_KEY"});
    CHECK(p.has_error("invalid binary name 'rm;reboot' in Requires"));
}

TEST_CASE("unknown sections: a warning, and their text kept for the agent") {
    const auto p = parse(workflow("## Team Notes\nTalk to **ops** first.\n\n- pager: 555\n"));
    INFO(p.rendered());
    REQUIRE(p.ok());
    CHECK(p.find("unknown section 'Team Notes': kept as notes for the agent").pos.line == 6);
    REQUIRE(p.wf.notes.size() == 1);
    CHECK(p.wf.notes[0].title == "Team Notes");
    CHECK(p.wf.notes[0].text == "Talk to ops first.\n\n- pager: 555");  // text kept, emphasis dropped
}

TEST_CASE("section names are matched case-insensitively, with synonyms, in any order") {
    const auto p = parse(
        "# WORKFLOW: Shout\n\n## STEPS\n1. **Go**\n   - now\n\n## inputs\n- `who`: Who\n\n"
        "## Parameters\n- `what`: What\n\n## overview\nIt shouts.\n");
    INFO(p.rendered());
    REQUIRE(p.ok());
    CHECK(p.wf.title == "Shout");
    CHECK(p.wf.inputs.size() == 2);
    CHECK(p.wf.description == "It shouts.");
    CHECK(p.has_warning("a second 'Parameters' section (the first is on line 7): both are read"));
}

TEST_CASE("the title: prefixes, text before it, a second title, and the description before any section") {
    const auto p = parse(
        "Preamble\n\n# Workflow — Dash Title\nIntro paragraph.\n\n# Another\n\n## Steps\n"
        "1. **Go**\n   - now\n");
    INFO(p.rendered());
    CHECK(p.wf.title == "Dash Title");
    CHECK(p.wf.name == "dash-title");
    CHECK(p.wf.description == "Intro paragraph.");
    CHECK(p.find("text before the `# Workflow:` title is ignored").pos.line == 1);
    CHECK(p.has_warning("a second `#` title: read as a section heading"));
    CHECK(parse("# Plain Title\n\n## Steps\n1. **Go**\n   - now\n").wf.name == "plain-title");
}

TEST_CASE("titles that make no skill name, or carry path characters") {
    CHECK(parse("# Workflow: ../..\n\n## Steps\n1. **Go**\n").has_error("has no ASCII letters or digits"));
    CHECK(parse("# Workflow: ✨ 日本\n\n## Steps\n1. **Go**\n").has_error("has no ASCII letters or digits"));
    CHECK(parse("# Workflow:\n\n## Steps\n1. **Go**\n").has_error("the title is empty"));
    const auto dots = parse("# Workflow: ../../etc/passwd\n\n## Steps\n1. **Go**\n   - now\n");
    CHECK(dots.ok());
    CHECK(dots.wf.name == "etc-passwd");
    CHECK(dots.has_warning("the title contains path characters; the skill folder is named 'etc-passwd'"));
    const auto long_title = parse("# Workflow: " + std::string(300, 'a') + "\n\n## Steps\n1. **Go**\n");
    CHECK(long_title.has_error("over the limit of 200 bytes"));
    const auto long_slug = parse("# Workflow: " + std::string(20, 'x') + " " + std::string(50, 'y') +
                                 " tail\n\n## Steps\n1. **Go**\n   - now\n");
    CHECK(long_slug.wf.name == std::string(20, 'x'));  // cut at a word boundary, at most 64
}

TEST_CASE("empty and blank files, and a file without a title") {
    CHECK(parse("").find("the file is empty").pos.line == 1);
    CHECK(parse("\n  \n").has_error("the file is empty"));
    CHECK(parse("## Steps\n1. **Go**\n").has_error("no title"));
}
