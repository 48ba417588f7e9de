// The whole-workflow checks: the shell variable scanner, undeclared variables, literal secrets, prose
// gates, unread advice, guardrail typos.
#include <catch2/catch.hpp>

#include "compiler/parse_support.h"
#include "compiler/shell_vars.h"
#include "tests/unit/support.h"

using namespace df;
using compiler::scan_shell_vars;
using df::test::parse;
using df::test::workflow;

namespace {

std::vector<std::string> read_names(std::string_view code) {
    std::vector<std::string> names;
    for (const auto& r : scan_shell_vars(code).reads) names.push_back(r.name);
    return names;
}

bool assigns(std::string_view code, const std::string& name) {
    return scan_shell_vars(code).assigned.count(name) > 0;
}

}  // namespace

TEST_CASE("scanner: reads, with their line and column") {
    const auto vars = scan_shell_vars("echo $a\n  x=\"${b}\" y=$(printf %s \"$c\")\n");
    REQUIRE(vars.reads.size() == 3);
    CHECK(vars.reads[0].name == "a");
    CHECK(vars.reads[0].line == 0);
    CHECK(vars.reads[0].column == 5);
    CHECK(vars.reads[1].name == "b");
    CHECK(vars.reads[1].line == 1);
    CHECK(vars.reads[1].column == 5);
    CHECK(vars.reads[2].name == "c");
}

TEST_CASE("scanner: what is not a read") {
    CHECK(read_names("echo '$a' $$ $1 $# $? $@ $* $- $! $0 ${#} ${1}").empty());
    CHECK(read_names("echo ${a:-x} ${b-} ${c:+y} ${d:=z} ${e=w} ${!f}").empty());
    CHECK(read_names("# comment $a\necho x # $b").empty());
    CHECK(read_names("echo $'it\\'s $a'").empty());
    CHECK(read_names("cat <<'EOF'\n$a ${b}\nEOF\ncat <<\"END\"\n$c\nEND\n").empty());
    CHECK(read_names("awk '{ print $NF }'").empty());
}

TEST_CASE("scanner: reads inside nesting, defaults and here-documents") {
    CHECK(read_names("echo \"$(basename \"$a\")\" ${b:-$c} ${#d} ${e[0]}") ==
          std::vector<std::string>{"a", "c", "d", "e"});
    CHECK(read_names("cat <<EOF\nhost=$h ${p}\nEOF\necho $after") ==
          std::vector<std::string>{"h", "p", "after"});
    CHECK(read_names("cat <<-EOF\n\t$t\n\tEOF\necho $z") == std::vector<std::string>{"t", "z"});
    CHECK(read_names("echo $((n + $m))") == std::vector<std::string>{"m"});
}

TEST_CASE("scanner: assignments") {
    CHECK(assigns("a=1", "a"));
    CHECK(assigns("a+=1 b[2]=x cmd", "a"));
    CHECK(assigns("a+=1 b[2]=x cmd", "b"));
    CHECK_FALSE(assigns("cmd a=1", "a"));  // an argument, not an assignment
    CHECK(assigns("read -r first rest <<<\"x\"", "first"));
    CHECK(assigns("read -r first rest <<<\"x\"", "rest"));
    CHECK(assigns("for f in a b; do :; done", "f"));
    CHECK(assigns("for ((i = 0; i < 3; i++)); do :; done", "i"));
    CHECK(assigns("f() { local who=$1 n; }", "who"));
    CHECK(assigns("f() { local who=$1 n; }", "n"));
    CHECK(assigns("export A B=2", "A"));
    CHECK(assigns("declare -a arr=(1 2)", "arr"));
    CHECK(assigns("mapfile -t lines < f", "lines"));
    CHECK(assigns("printf -v stamp '%s' x", "stamp"));
    CHECK(assigns("if true; then x=1; fi", "x"));
    CHECK(assigns("v=$(echo \"$(date)\")", "v"));
    CHECK(assigns("echo ${q:=3}", "q"));
    CHECK(assigns("(( count += 1 ))", "count"));
}

TEST_CASE("undeclared variables: a warning at the read, with the closest declared name") {
    const auto p = parse(
        "# Workflow: Vars\n\n## Inputs\n- `db_host` (required): Host\n\n## Steps\n1. **Dump**\n   ```sh\n"
        "   pg_dump -h \"$db_hots\" \"$DB_HOST\" \"$db_host\" \"$HOME\" \"$DF_RUN_ID\"\n   echo $db_hots "
        "$nothing_like_it\n"
        "   ```\n");
    INFO(p.rendered());
    REQUIRE(p.ok());
    const auto& d = p.find("`$db_hots` in step 'Dump' is not declared");
    CHECK(d.pos.line == 9);
    CHECK(d.pos.column == 16);
    CHECK(d.message.find("did you mean `$db_host`?") != std::string::npos);
    CHECK(p.has_warning(
        "`$nothing_like_it` in step 'Dump' is not declared (not an input, an output, a `## Requires` "
        "variable, a standard one, or set in the step): the step would stop with 'nothing_like_it: "
        "unbound variable'; declare it under `## Inputs`, or under `## Requires` as `- env: NAME`"));
    // One warning per name and step.
    std::size_t count = 0;
    for (const auto& diag : p.diags->all()) count += diag.message.find("$db_hots") != std::string::npos;
    CHECK(count == 1);
}

TEST_CASE("undeclared variables: outputs, Requires env and the step's own assignments are declared") {
    const auto p =
        parse(workflow("## Outputs\n- `url`: URL\n\n## Requires\n- env: API_TOKEN\n\n## Steps\n"
                       "### 1. Go\n```sh\nx=1\necho \"$x $url $API_TOKEN\"\n```\n```bash\necho $x\n```\n"
                       "### 2. Other\n```sh\necho $x\n```\n"));
    INFO(p.rendered());
    CHECK(p.has_warning("`$x` in step 'Other' is not declared"));
    CHECK_FALSE(p.has_warning("in step 'Go'"));
    const auto standard =
        parse(workflow("## Steps\n### 1. Std\n```sh\necho \"$_ $RANDOM $PWD $BASH_SOURCE $LC_ALL\"\n```\n"));
    CHECK_FALSE(standard.has_warning("is not declared"));
}

TEST_CASE("secrets: literal values are errors; placeholders are fine") {
    const auto p =
        parse(workflow("## Inputs\n- `api_token`: Token (default: abc123def)\n"
                       "- `password` (secret, optional): pw (default: changeme)\n"));
    INFO(p.rendered());
    CHECK(p.has_error("input 'api_token' is secret, so its value must not be written in its default"));
    CHECK_FALSE(p.has_error("input 'password'"));
    const auto shaped = parse(workflow("## Description\nkey AKIAABCDEFGHIJKLMNOP here\n"));
    CHECK(shaped.has_error("this looks like an AWS access key written into the workflow"));
    const auto pattern = parse(
        workflow("## Description\nmatch `AKIA[0-9A-Z]{16}` and `-----BEGIN [A-Z ]*PRIVATE KEY-----`\n"));
    CHECK(pattern.ok());
}

TEST_CASE("guardrails: a near miss of an enforced phrasing says what was meant; unread advice is flagged") {
    const auto p = parse(workflow("## Guardrails\n- Step timout: 10 minutes\n- Be nice\n"));
    INFO(p.rendered());
    CHECK(p.has_warning(
        "guardrail \"Step timout: 10 minutes\" is read as advice for the agent, not enforced; did "
        "you mean \"Step timeout: 10 minutes\"?"));
    CHECK_FALSE(
        p.has_warning("guardrail \"Be nice\""));  // the workflow's step is an agent step: it reads advice
    CHECK(p.wf.policy.step_timeout_seconds == std::nullopt);  // the suggestion is not applied
    const auto commands = parse(
        "# Workflow: C\n\n## Steps\n1. **Go**\n   ```sh\n   true\n   ```\n\n"
        "## Guardrails\n- Be nice\n");
    CHECK(commands.has_warning(
        "guardrail \"Be nice\" is advice for an agent, but every step runs commands: nothing "
        "reads it"));
}

TEST_CASE("prose steps titled like a gate warn that an agent carries them out") {
    const auto p =
        parse(workflow("## Steps\n1. **Release manager approval**\n   - ask\n2. **Build**\n   - go\n"));
    INFO(p.rendered());
    CHECK(p.has_warning("step 'Release manager approval' has no commands, so an agent carries it out"));
    CHECK_FALSE(p.has_warning("step 'Build'"));
}

TEST_CASE("edit distance counts a swap of neighbours as one edit") {
    CHECK(compiler::edit_distance("timout", "timeout") == 1);
    CHECK(compiler::edit_distance("hsot", "host") == 1);
    CHECK(compiler::edit_distance("", "abc") == 3);
    CHECK(compiler::edit_distance("same", "same") == 0);
}
