#include "compiler/graph.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

namespace df::compiler {

std::optional<GraphFormat> parse_graph_format(std::string_view name) {
    if (name == "mermaid") return GraphFormat::mermaid;
    if (name == "dot") return GraphFormat::dot;
    if (name == "svg") return GraphFormat::svg;
    return std::nullopt;
}

namespace {

// "20 min" rather than describe_seconds' "1200 s (20 minutes)": a node has little room.
std::string short_duration(int s) {
    if (s >= 3600 && s % 3600 == 0) return fmt::format("{} h", s / 3600);
    if (s >= 60 && s % 60 == 0) return fmt::format("{} min", s / 60);
    return fmt::format("{} s", s);
}

// What a step's node says besides its title: its kind and the limits it runs under.
std::vector<std::string> step_lines(const Step& step, const Policy& policy) {
    std::vector<std::string> lines{fmt::format("{}. {}", step.number, step.title)};
    std::string detail =
        step.kind == StepKind::workflow ? "uses " + step.uses_skill : std::string(to_string(step.kind));
    const auto timeout = step.timeout_seconds ? step.timeout_seconds : policy.step_timeout_seconds;
    if (timeout) detail += ", timeout " + short_duration(*timeout);
    const int retries = step.retries.value_or(policy.retries);
    if (retries > 0) detail += fmt::format(", {} retr{}", retries, retries == 1 ? "y" : "ies");
    lines.push_back(detail);
    if (step.condition) {
        const Condition& c = *step.condition;
        lines.push_back(fmt::format("if {} {} {}", c.left, c.equals ? "==" : "!=", c.right));
    }
    if (!step.foreach_var.empty()) {
        lines.push_back(fmt::format("for each {} in {}{}", step.foreach_var, step.foreach_list,
                                    step.continue_on_error ? ", continue on error" : ""));
    }
    if (step.approval) {
        std::string who = "approval";
        for (std::size_t i = 0; i < step.approvers.size(); ++i)
            who += (i == 0 ? " by " : ", ") + step.approvers[i];
        if (step.approval_timeout_seconds) who += ", waits " + short_duration(*step.approval_timeout_seconds);
        lines.push_back(who);
    }
    return lines;
}

// A step with `Approval: required` is drawn as the approval gate it starts with.
NodeKind node_kind(const Step& step) {
    if (step.approval) return NodeKind::approval;
    if (step.kind == StepKind::workflow) return NodeKind::workflow;
    return step.kind == StepKind::command ? NodeKind::command : NodeKind::agent;
}

std::string approval_text(const Policy::Approval& approval) {
    if (approval.when_input.empty()) return "Approval by a person";
    return fmt::format("Approval when {} = {}", approval.when_input, approval.equals);
}

void add_entry_nodes(const Workflow& wf, Graph& g) {
    int n = 0;
    for (const auto& t : wf.triggers) {
        std::vector<std::string> lines;
        if (t.kind == Trigger::Kind::http) {
            lines.push_back("HTTP trigger");
        } else {
            lines.push_back("cron: " + (t.written.empty() ? t.schedule : t.written));
            for (const auto& [name, value] : t.inputs) {
                const Input* input = find_input(wf, name);
                lines.push_back(name + " = " + (input && input->secret ? "***" : value));
            }
        }
        g.nodes.push_back({fmt::format("t{}", ++n), NodeKind::trigger, std::move(lines), ""});
    }
    if (wf.inputs.empty()) return;
    g.clusters.push_back({"inputs", "Inputs"});
    n = 0;
    for (const auto& in : wf.inputs) {
        std::string line = in.name;
        if (in.required) line += " (required)";
        if (in.default_value) line += in.secret ? " = ***" : " = " + *in.default_value;
        g.nodes.push_back({fmt::format("in{}", ++n), NodeKind::input, {line}, "inputs"});
    }
}

// Adds nodes id_prefix1… for the steps inside `cluster`, chained in order; returns the first and last ids.
std::pair<std::string, std::string> add_chain(const std::vector<Step>& steps, const Policy& policy,
                                              std::string_view id_prefix, std::string_view cluster,
                                              Graph& g) {
    std::string first, previous;
    for (const auto& step : steps) {
        const std::string id = fmt::format("{}{}", id_prefix, step.number);
        g.nodes.push_back({id, node_kind(step), step_lines(step, policy), std::string(cluster)});
        if (previous.empty()) {
            first = id;
        } else {
            g.edges.push_back({previous, id, "", false, false, false});
        }
        previous = id;
    }
    return {first, previous};
}

// Steps with `Needs:`: an edge from each step a step needs (or, without the bullet, from the step before
// it). Returns the steps that start the run (they need nothing) and those nothing needs (they end it).
std::pair<std::vector<std::string>, std::vector<std::string>> add_needs_graph(const std::vector<Step>& steps,
                                                                              const Policy& policy,
                                                                              Graph& g) {
    std::map<std::string, std::string> node_of;
    for (const auto& step : steps) node_of.emplace(step.id, fmt::format("s{}", step.number));
    std::set<std::string> needed;
    std::vector<std::string> roots, sinks;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const Step& step = steps[i];
        const std::string id = node_of[step.id];
        g.nodes.push_back({id, node_kind(step), step_lines(step, policy), "steps"});
        std::vector<std::string> from;
        if (!step.needs) {
            if (i > 0) from.push_back(node_of[steps[i - 1].id]);
        } else {
            for (const auto& n : *step.needs) {
                if (node_of.count(n) != 0) from.push_back(node_of[n]);
            }
        }
        if (from.empty()) roots.push_back(id);
        for (const auto& f : from) {
            g.edges.push_back({f, id, step.needs ? "needs" : "", false, false, false});
            needed.insert(f);
        }
    }
    for (const auto& step : steps) {
        if (needed.count(node_of[step.id]) == 0) sinks.push_back(node_of[step.id]);
    }
    return {roots, sinks};
}

bool has_needs(const std::vector<Step>& steps) {
    return std::any_of(steps.begin(), steps.end(), [](const Step& s) { return s.needs.has_value(); });
}

}  // namespace

Graph build_graph(const Workflow& wf) {
    Graph g;
    g.title = wf.title;
    add_entry_nodes(wf, g);
    g.clusters.push_back({"steps", "Steps"});
    std::vector<std::string> roots, sinks;
    if (has_needs(wf.steps)) {
        std::tie(roots, sinks) = add_needs_graph(wf.steps, wf.policy, g);
    } else if (const auto [first, last] = add_chain(wf.steps, wf.policy, "s", "steps", g); !first.empty()) {
        roots = {first};
        sinks = {last};
    }
    const std::string first = roots.empty() ? "" : roots.front();
    g.nodes.push_back({"ok", NodeKind::succeeded, {"succeeded"}, ""});
    g.nodes.push_back({"failed", NodeKind::failed, {"failed"}, ""});

    // Where a run enters the steps: through the approval gate when the workflow has one; every step that
    // needs nothing starts with the run.
    std::vector<std::string> entries = roots.empty() ? std::vector<std::string>{"ok"} : roots;
    if (wf.policy.approval) {
        g.nodes.push_back({"approval", NodeKind::approval, {approval_text(*wf.policy.approval)}, ""});
        for (const auto& e : entries) g.edges.push_back({"approval", e, "approved", false, false, false});
        g.edges.push_back({"approval", "failed", "denied or timed out", true, false, false});
        entries = {"approval"};
    }
    for (const auto& node : g.nodes) {
        if (node.kind != NodeKind::trigger) continue;
        for (const auto& e : entries) g.edges.push_back({node.id, e, "", false, false, false});
    }
    if (!wf.inputs.empty()) g.edges.push_back({"inputs", entries.front(), "", true, true, false});
    for (const auto& s : sinks) g.edges.push_back({s, "ok", "", false, false, false});

    // On failure: the rollback steps when auto-rollback is on, then the `## On Failure` steps, then the
    // failed end. The first edge leaves the steps' cluster, dashed and labelled.
    if (first.empty()) return g;
    std::string from = "steps";
    auto follow = [&](const std::vector<Step>& chain, std::string_view prefix, std::string_view cluster,
                      std::string_view title) {
        g.clusters.push_back({std::string(cluster), std::string(title)});
        const auto [chain_first, chain_last] = add_chain(chain, wf.policy, prefix, cluster, g);
        const bool from_steps = from == "steps";
        g.edges.push_back({from, chain_first, from_steps ? "on failure" : "", from_steps, from_steps, false});
        from = chain_last;
    };
    if (wf.policy.auto_rollback && !wf.rollback.empty()) follow(wf.rollback, "r", "rollback", "Rollback");
    if (!wf.on_failure.empty()) follow(wf.on_failure, "f", "on_failure", "On Failure");
    const bool from_steps = from == "steps";
    g.edges.push_back({from, "failed", from_steps ? "on failure" : "", from_steps, from_steps, false});
    return g;
}

// --- Mermaid ---

std::string mermaid_label(std::string_view text) {
    // Inside ["…"] Mermaid reads entities #name; and #code;: a quote would end the label, <>& could become
    // HTML, a leading backtick a Markdown string, and # starts an entity.
    std::string out;
    for (const char c : text) {
        switch (c) {
            case '"':
                out += "#quot;";
                break;
            case '#':
                out += "#35;";
                break;
            case '<':
                out += "#lt;";
                break;
            case '>':
                out += "#gt;";
                break;
            case '&':
                out += "#amp;";
                break;
            case '`':
                out += "#96;";
                break;
            default:
                out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c;
        }
    }
    return out;
}

namespace {

std::string mermaid_text(const GraphNode& node) {
    std::string text;
    for (const auto& line : node.lines) text += (text.empty() ? "" : "<br>") + mermaid_label(line);
    return '"' + text + '"';
}

std::string mermaid_node(const GraphNode& node) {
    const std::string text = mermaid_text(node);
    switch (node.kind) {
        case NodeKind::command:
            return node.id + "[" + text + "]";
        case NodeKind::agent:
            return node.id + "(" + text + ")";
        case NodeKind::workflow:
            return node.id + "[[" + text + "]]";
        case NodeKind::trigger:
            return node.id + ">" + text + "]";
        case NodeKind::input:
            return node.id + "[/" + text + "/]";
        case NodeKind::approval:
            return node.id + "{" + text + "}";
        case NodeKind::succeeded:
        case NodeKind::failed:
            return node.id + "([" + text + "])";
    }
    return node.id + "[" + text + "]";
}

std::string_view node_class(NodeKind kind) {
    switch (kind) {
        case NodeKind::command:
            return "command";
        case NodeKind::agent:
            return "agent";
        case NodeKind::workflow:
            return "workflow";
        case NodeKind::trigger:
            return "trigger";
        case NodeKind::input:
            return "input";
        case NodeKind::approval:
            return "approval";
        case NodeKind::succeeded:
            return "succeeded";
        case NodeKind::failed:
            return "failed";
    }
    return "command";
}

// One palette for both formats: fill, stroke.
struct Colours {
    std::string_view fill, stroke;
};
Colours colours(NodeKind kind) {
    switch (kind) {
        case NodeKind::command:
            return {"#e8f0fe", "#3b6fd8"};
        case NodeKind::agent:
            return {"#f3e8fd", "#8a3bd8"};
        case NodeKind::workflow:
            return {"#e6f7f5", "#1f8a7a"};
        case NodeKind::trigger:
            return {"#eeeeee", "#666666"};
        case NodeKind::input:
            return {"#ffffff", "#999999"};
        case NodeKind::approval:
            return {"#fff4d6", "#c98a00"};
        case NodeKind::succeeded:
            return {"#e3f6e8", "#2e8b57"};
        case NodeKind::failed:
            return {"#fde8e8", "#c0392b"};
    }
    return {"#ffffff", "#000000"};
}

}  // namespace

std::string to_mermaid(const Graph& g) {
    std::string out = "flowchart TD\n";
    for (const auto& node : g.nodes) {
        if (node.cluster.empty()) out += "  " + mermaid_node(node) + "\n";
    }
    for (const auto& cluster : g.clusters) {
        out += fmt::format("  subgraph {} [\"{}\"]\n", cluster.id, mermaid_label(cluster.title));
        for (const auto& node : g.nodes) {
            if (node.cluster == cluster.id) out += "    " + mermaid_node(node) + "\n";
        }
        out += "  end\n";
    }
    for (const auto& e : g.edges) {
        const std::string arrow = e.dashed ? "-.->" : "-->";
        out += e.label.empty()
                   ? fmt::format("  {} {} {}\n", e.from, arrow, e.to)
                   : fmt::format("  {} {}|\"{}\"| {}\n", e.from, arrow, mermaid_label(e.label), e.to);
    }
    for (const NodeKind kind : {NodeKind::command, NodeKind::agent, NodeKind::trigger, NodeKind::input,
                                NodeKind::approval, NodeKind::succeeded, NodeKind::failed}) {
        const auto c = colours(kind);
        out += fmt::format("  classDef {} fill:{},stroke:{}\n", node_class(kind), c.fill, c.stroke);
    }
    // Only graphs with a child-workflow step name its class: every other graph stays as it was.
    if (std::any_of(g.nodes.begin(), g.nodes.end(),
                    [](const GraphNode& n) { return n.kind == NodeKind::workflow; })) {
        const auto c = colours(NodeKind::workflow);
        out += fmt::format("  classDef {} fill:{},stroke:{}\n", node_class(NodeKind::workflow), c.fill,
                           c.stroke);
    }
    for (const auto& node : g.nodes) out += fmt::format("  class {} {}\n", node.id, node_class(node.kind));
    return out;
}

// --- DOT ---

std::string dot_label(std::string_view text) {
    // In a quoted DOT string only \" is special to the parser, but labels are escString: a backslash starts
    // \n, \N, \G…, and a trailing one would swallow the closing quote.
    std::string out;
    for (const char c : text) {
        if (c == '\\' || c == '"') {
            out += '\\';
            out += c;
        } else {
            out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c;
        }
    }
    return out;
}

namespace {

std::string_view dot_shape(NodeKind kind) {
    switch (kind) {
        case NodeKind::command:
            return "shape=box";
        case NodeKind::agent:
            return "shape=box, style=\"rounded,filled\"";
        case NodeKind::workflow:
            return "shape=box, peripheries=2";
        case NodeKind::trigger:
            return "shape=cds";
        case NodeKind::input:
            return "shape=parallelogram";
        case NodeKind::approval:
            return "shape=diamond";
        case NodeKind::succeeded:
        case NodeKind::failed:
            return "shape=box, style=\"rounded,filled,bold\"";
    }
    return "shape=box";
}

std::string dot_node(const GraphNode& node) {
    std::string label;
    for (const auto& line : node.lines) label += (label.empty() ? "" : "\\n") + dot_label(line);
    const auto c = colours(node.kind);
    std::string attrs(dot_shape(node.kind));
    if (attrs.find("style=") == std::string::npos) attrs += ", style=filled";
    return fmt::format("\"{}\" [label=\"{}\", {}, fillcolor=\"{}\", color=\"{}\"];", node.id, label, attrs,
                       c.fill, c.stroke);
}

// A cluster is drawn as a box around its nodes; an edge to or from it is clipped at the box (compound).
std::string cluster_anchor(const Graph& g, const std::string& cluster, bool last) {
    std::string found;
    for (const auto& node : g.nodes) {
        if (node.cluster != cluster) continue;
        if (!last && !found.empty()) break;
        found = node.id;
    }
    return found;
}

}  // namespace

std::string to_dot(const Graph& g) {
    std::string out = fmt::format("digraph \"{}\" {{\n", dot_label(g.title));
    out += "  compound=true;\n  rankdir=TB;\n  graph [fontname=\"Helvetica\", fontsize=12];\n";
    out += "  node [fontname=\"Helvetica\", fontsize=11];\n";
    out += "  edge [fontname=\"Helvetica\", fontsize=10];\n";
    for (const auto& node : g.nodes) {
        if (node.cluster.empty()) out += "  " + dot_node(node) + "\n";
    }
    for (const auto& cluster : g.clusters) {
        out += fmt::format("  subgraph \"cluster_{}\" {{\n    label=\"{}\";\n    style=dashed;\n", cluster.id,
                           dot_label(cluster.title));
        for (const auto& node : g.nodes) {
            if (node.cluster == cluster.id) out += "    " + dot_node(node) + "\n";
        }
        out += "  }\n";
    }
    for (const auto& e : g.edges) {
        std::vector<std::string> attrs;
        std::string from = e.from, to = e.to;
        if (e.from_cluster) {
            from = cluster_anchor(g, e.from, true);
            attrs.push_back(fmt::format("ltail=\"cluster_{}\"", e.from));
        }
        if (e.to_cluster) {
            to = cluster_anchor(g, e.to, false);
            attrs.push_back(fmt::format("lhead=\"cluster_{}\"", e.to));
        }
        if (e.dashed) attrs.push_back("style=dashed");
        if (!e.label.empty()) attrs.push_back(fmt::format("label=\"{}\"", dot_label(e.label)));
        std::string joined;
        for (const auto& a : attrs) joined += (joined.empty() ? "" : ", ") + a;
        out += fmt::format("  \"{}\" -> \"{}\"{};\n", from, to, joined.empty() ? "" : " [" + joined + "]");
    }
    out += "}\n";
    return out;
}

}  // namespace df::compiler
