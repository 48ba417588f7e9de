// The workflow graph: built once from the model, printed as Mermaid and DOT with user text only in labels.
#include "compiler/graph.h"

#include <catch2/catch.hpp>

#include "tests/unit/support.h"

using namespace df;
using namespace df::compiler;
using df::test::parse;
using df::test::workflow;

namespace {

const GraphNode* node(const Graph& g, std::string_view id) {
    for (const auto& n : g.nodes) {
        if (n.id == id) return &n;
    }
    return nullptr;
}

bool has_edge(const Graph& g, std::string_view from, std::string_view to, std::string_view label = "") {
    for (const auto& e : g.edges) {
        if (e.from == from && e.to == to && e.label == label) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("graph formats are named mermaid, dot and svg") {
    CHECK(parse_graph_format("mermaid") == GraphFormat::mermaid);
    CHECK(parse_graph_format("dot") == GraphFormat::dot);
    CHECK(parse_graph_format("svg") == GraphFormat::svg);
    CHECK_FALSE(parse_graph_format("png"));
    CHECK_FALSE(parse_graph_format("Mermaid"));
}

TEST_CASE("Mermaid labels encode what would end or change the label") {
    CHECK(mermaid_label("plain text") == "plain text");
    CHECK(mermaid_label("a\"b") == "a#quot;b");
    CHECK(mermaid_label("<b>&</b>") == "#lt;b#gt;#amp;#lt;/b#gt;");
    CHECK(mermaid_label("#35;") == "#35;35;");
    CHECK(mermaid_label("`md`") == "#96;md#96;");
    CHECK(mermaid_label("line\nbreak\ttab") == "line break tab");
    CHECK(mermaid_label("Ünïcode ✓") == "Ünïcode ✓");
}

TEST_CASE("DOT labels escape quotes and backslashes and drop control characters") {
    CHECK(dot_label("plain") == "plain");
    CHECK(dot_label("q\"q") == "q\\\"q");
    CHECK(dot_label("ends\\") == "ends\\\\");
    CHECK(dot_label("\\N name") == "\\\\N name");
    CHECK(dot_label("a\nb\x7f") == "a b ");
}

TEST_CASE("steps chain in order from the triggers to the succeeded end, with their kinds") {
    const auto p =
        parse(workflow("## Steps\n1. **Build**\n   ```sh\n   make\n   ```\n2. **Review**\n   Read the "
                       "diff.\n\n## Guardrails\n- Step timeout: 20 minutes\n- Retry failed steps 2 "
                       "times\n"));
    REQUIRE(p.ok());
    const Graph g = build_graph(p.wf);
    REQUIRE(node(g, "s1"));
    CHECK(node(g, "s1")->kind == NodeKind::command);
    CHECK(node(g, "s1")->lines == std::vector<std::string>{"1. Build", "command, timeout 20 min, 2 retries"});
    CHECK(node(g, "s2")->kind == NodeKind::agent);
    CHECK(has_edge(g, "t1", "s1"));
    CHECK(has_edge(g, "s1", "s2"));
    CHECK(has_edge(g, "s2", "ok"));
    CHECK(has_edge(g, "steps", "failed", "on failure"));
    CHECK_FALSE(node(g, "approval"));
}

TEST_CASE("an approval guardrail is a gate before the first step; auto-rollback runs the rollback steps") {
    const auto p =
        parse(workflow("## Inputs\n- `environment`: staging | production (default: staging)\n\n"
                       "## Steps\n1. **Deploy**\n   ```sh\n   true\n   ```\n\n## Rollback\n1. **Undo**\n"
                       "   ```sh\n   true\n   ```\n\n## Guardrails\n- Requires manual approval for "
                       "production\n- Auto-rollback on failure\n"));
    REQUIRE(p.ok());
    const Graph g = build_graph(p.wf);
    REQUIRE(node(g, "approval"));
    CHECK(node(g, "approval")->lines.front() == "Approval when environment = production");
    CHECK(has_edge(g, "t1", "approval"));
    CHECK(has_edge(g, "approval", "s1", "approved"));
    CHECK(has_edge(g, "approval", "failed", "denied or timed out"));
    CHECK(has_edge(g, "inputs", "approval"));
    CHECK(has_edge(g, "steps", "r1", "on failure"));
    CHECK(has_edge(g, "r1", "failed"));
    CHECK(node(g, "r1")->cluster == "rollback");
}

TEST_CASE("cron triggers show their inputs; secret values never reach a label") {
    Workflow wf;
    wf.title = "Nightly";
    Input host, password;
    host.name = "db_host";
    host.required = true;
    password.name = "db_password";
    password.default_value = "hunter2";
    password.secret = true;
    wf.inputs = {host, password};
    Trigger cron;
    cron.kind = Trigger::Kind::cron;
    cron.schedule = cron.written = "0 3 * * *";
    cron.inputs = {{"db_host", "db.internal"}, {"db_password", "hunter2"}};
    wf.triggers = {Trigger{}, cron};
    const Graph g = build_graph(wf);
    CHECK(node(g, "t2")->lines ==
          std::vector<std::string>{"cron: 0 3 * * *", "db_host = db.internal", "db_password = ***"});
    CHECK(node(g, "in2")->lines.front() == "db_password = ***");
    const std::string all = to_mermaid(g) + to_dot(g);
    CHECK(all.find("hunter2") == std::string::npos);
    CHECK(has_edge(g, "t1", "ok"));  // no steps: a run goes straight to its end
}

TEST_CASE("Mermaid and DOT print the same nodes, with our ids and encoded labels") {
    const auto p = parse(workflow("## Steps\n1. **A\"] --> B[x**\n   ```sh\n   true\n   ```\n"));
    REQUIRE(p.ok());
    const Graph g = build_graph(p.wf);
    const std::string mermaid = to_mermaid(g), dot = to_dot(g);
    CHECK(mermaid.rfind("flowchart TD\n", 0) == 0);
    CHECK(mermaid.find("s1[\"1. A#quot;] --#gt; B[x<br>command\"]") != std::string::npos);
    CHECK(dot.find("\"s1\" [label=\"1. A\\\"] --> B[x\\ncommand\"") != std::string::npos);
    for (const auto& n : g.nodes) {
        INFO(n.id);
        CHECK(mermaid.find("class " + n.id + " ") != std::string::npos);
        CHECK(dot.find("\"" + n.id + "\" [label=") != std::string::npos);
    }
}
