// The workflow as a graph (`compile --graph`, and the Mermaid picture in SKILL.md and README.md).
// build_graph turns the model into nodes, clusters and edges once; each format only prints that graph, so
// Mermaid, DOT and SVG always show the same thing. Ids are ours (s1, t1, …); user text only ever appears in
// labels, encoded for the format that prints it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/workflow.h"

namespace df::compiler {

enum class GraphFormat { mermaid, dot, svg };

std::optional<GraphFormat> parse_graph_format(std::string_view name);

enum class NodeKind {
    command,    // a step with shell blocks
    agent,      // a prose step an agent carries out
    workflow,   // a `Uses:` step: runs a child workflow
    trigger,    // HTTP or cron: where a run starts
    input,      // a workflow input
    approval,   // the run waits for a person
    succeeded,  // the run's end when every step succeeded
    failed,     // the run's end after a failure
};

struct GraphNode {
    std::string id;
    NodeKind kind = NodeKind::command;
    std::vector<std::string> lines;  // label, one entry a line (plain text, not yet encoded)
    std::string cluster;             // id of the cluster it sits in; empty: top level
};

struct GraphCluster {
    std::string id;
    std::string title;
};

struct GraphEdge {
    std::string from, to;  // node ids, or cluster ids when from_cluster / to_cluster
    std::string label;     // our own words ("on failure"), never user text
    bool dashed = false;
    bool from_cluster = false, to_cluster = false;
};

struct Graph {
    std::string title;
    std::vector<GraphCluster> clusters;
    std::vector<GraphNode> nodes;
    std::vector<GraphEdge> edges;
};

Graph build_graph(const Workflow& workflow);

std::string to_mermaid(const Graph& graph);
std::string to_dot(const Graph& graph);

// Lays out DOT with Graphviz's `dot -Tsvg` (Debian package graphviz); an error says what is missing.
Result<std::string> dot_to_svg(const std::string& dot);

// Label encoders, exposed for the tests: user text in, text safe inside a quoted label out.
std::string mermaid_label(std::string_view text);
std::string dot_label(std::string_view text);

}  // namespace df::compiler
