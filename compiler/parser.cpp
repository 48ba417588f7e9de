#include "compiler/parser.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include <fmt/format.h>

#include "common/text.h"
#include "compiler/markdown.h"
#include "compiler/parse_support.h"

namespace df::compiler {
namespace {

// Does a section hold steps (a list or headings), rather than prose only?
bool has_step_blocks(const std::vector<const Block*>& blocks) {
    for (const Block* b : blocks) {
        if (b->type == BlockType::heading || b->type == BlockType::ordered_list ||
            b->type == BlockType::bullet_list)
            return true;
    }
    return false;
}

// Headings are matched case-insensitively, ignoring punctuation; each section has the names people use.
Section classify(std::string_view heading) {
    static const std::map<std::string, Section> names = {{"description", Section::description},
                                                         {"overview", Section::description},
                                                         {"summary", Section::description},
                                                         {"purpose", Section::description},
                                                         {"about", Section::description},
                                                         {"inputs", Section::inputs},
                                                         {"input", Section::inputs},
                                                         {"parameters", Section::inputs},
                                                         {"params", Section::inputs},
                                                         {"arguments", Section::inputs},
                                                         {"steps", Section::steps},
                                                         {"procedure", Section::steps},
                                                         {"process", Section::steps},
                                                         {"tasks", Section::steps},
                                                         {"outputs", Section::outputs},
                                                         {"output", Section::outputs},
                                                         {"results", Section::outputs},
                                                         {"guardrails", Section::guardrails},
                                                         {"guardrail", Section::guardrails},
                                                         {"policies", Section::guardrails},
                                                         {"constraints", Section::guardrails},
                                                         {"limits", Section::guardrails},
                                                         {"safety", Section::guardrails},
                                                         {"error handling", Section::error_handling},
                                                         {"errors", Section::error_handling},
                                                         {"failure handling", Section::error_handling},
                                                         {"example usage", Section::example_usage},
                                                         {"example", Section::example_usage},
                                                         {"examples", Section::example_usage},
                                                         {"usage", Section::example_usage},
                                                         {"triggers", Section::triggers},
                                                         {"trigger", Section::triggers},
                                                         {"schedule", Section::triggers},
                                                         {"schedules", Section::triggers},
                                                         {"rollback", Section::rollback},
                                                         {"roll back", Section::rollback},
                                                         {"rollback steps", Section::rollback},
                                                         {"undo", Section::rollback},
                                                         {"on failure", Section::on_failure},
                                                         {"on failure steps", Section::on_failure},
                                                         {"when it fails", Section::on_failure},
                                                         {"if it fails", Section::on_failure},
                                                         {"requires", Section::prerequisites},
                                                         {"requirements", Section::prerequisites},
                                                         {"prerequisites", Section::prerequisites},
                                                         {"dependencies", Section::prerequisites}};
    std::string key;
    for (const char c : to_lower(heading)) {
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            key += c;
        } else if (!key.empty() && key.back() != ' ') {
            key += ' ';
        }
    }
    while (!key.empty() && key.back() == ' ') key.pop_back();
    const auto it = names.find(key);
    return it == names.end() ? Section::unknown : it->second;
}

struct SectionBlocks {
    Section section = Section::unknown;
    std::string heading;
    const Block* heading_block = nullptr;
    std::vector<const Block*> blocks;
};

std::string strip_title_prefix(std::string title) {
    for (const std::string_view prefix :
         {"workflow:", "workflow -", "workflow \xE2\x80\x94", "workflow \xE2\x80\x93"}) {
        if (starts_with_icase(title, prefix))
            return std::string(trim(std::string_view(title).substr(prefix.size())));
    }
    return title;
}

void read_title(ParseContext& ctx, const Block& heading) {
    Workflow& wf = ctx.workflow;
    wf.title = strip_title_prefix(plain_text(heading.runs));
    const SourcePos at = ctx.pos(heading);
    if (wf.title.empty()) {
        ctx.diags.error(at, "the title is empty: write `# Workflow: Name of the process`");
        return;
    }
    if (wf.title.size() > kMaxTitleBytes) {
        ctx.diags.error(at, fmt::format("the title is {} bytes long, over the limit of {} bytes",
                                        wf.title.size(), kMaxTitleBytes));
        return;
    }
    wf.name = slugify(wf.title, kMaxNameBytes);
    if (wf.name.empty()) {
        ctx.diags.error(
            at, fmt::format("the title '{}' has no ASCII letters or digits to make a skill name from; "
                            "add some (the skill name is the title in lower-case words joined by '-')",
                            wf.title));
    } else if (wf.title.find("..") != std::string::npos || wf.title.find('/') != std::string::npos) {
        ctx.diags.warning(
            at, fmt::format("the title contains path characters; the skill folder is named '{}'", wf.name));
    }
}

void read_description(ParseContext& ctx, const std::vector<const Block*>& blocks) {
    std::string text = render_markdown(blocks);
    if (text.empty()) return;
    Workflow& wf = ctx.workflow;
    wf.description = wf.description.empty() ? text : wf.description + "\n\n" + text;
}

void split_sections(ParseContext& ctx, const Block& doc, std::vector<const Block*>& preamble,
                    std::vector<SectionBlocks>& sections, const Block*& title) {
    bool ignored_before_title = false;
    for (const auto& child : doc.children) {
        const Block& b = *child;
        if (b.type == BlockType::heading && b.level == 1) {
            if (!title) {
                title = &b;
                continue;
            }
            ctx.diags.warning(ctx.pos(b), "a second `#` title: read as a section heading");
        }
        if (!title) {
            if (!ignored_before_title) {
                ctx.diags.warning(ctx.pos(b), "text before the `# Workflow:` title is ignored");
                ignored_before_title = true;
            }
            continue;
        }
        if (b.type == BlockType::heading && b.level <= 2) {
            SectionBlocks s;
            s.heading = plain_text(b.runs);
            s.section = classify(s.heading);
            s.heading_block = &b;
            sections.push_back(std::move(s));
            continue;
        }
        if (sections.empty()) {
            preamble.push_back(&b);
        } else {
            sections.back().blocks.push_back(&b);
        }
    }
}

void check_references(ParseContext& ctx) {
    Workflow& wf = ctx.workflow;
    for (const auto& [key, value] : wf.example_inputs) {
        const Input* in = find_input(wf, key);
        if (!in) continue;  // reported by parse_example_usage
        if (in->type == InputType::choice &&
            std::find(in->choices.begin(), in->choices.end(), value) == in->choices.end()) {
            ctx.diags.warning(in->pos,
                              fmt::format("the example gives input '{}' the value '{}', which is not one "
                                          "of its choices",
                                          key, value));
        }
    }
    if (wf.policy.auto_rollback && wf.rollback.empty()) {
        for (const auto& g : wf.guardrails) {
            if (g.kind == GuardrailKind::auto_rollback) {
                ctx.diags.warning(g.pos,
                                  "auto-rollback is on but there is no `## Rollback` section: a failed run "
                                  "has nothing to undo (deploy still redeploys the last good commit)");
            }
        }
    }
    // Step ids are how `run --step` and the run records name steps: unique across both lists. Titles that
    // slug alike ("Build & Test", "Build/Test") get -2, -3, … in order, as heading anchors do, so an id
    // changes only when a step of the same slug is added before it.
    std::set<std::string> seen;
    for (auto* list : {&wf.steps, &wf.rollback, &wf.on_failure}) {
        for (auto& step : *list) seen.insert(step.id);
    }
    std::map<std::string, int> used;
    for (auto* list : {&wf.steps, &wf.rollback, &wf.on_failure}) {
        for (auto& step : *list) {
            if (used[step.id]++ == 0) continue;
            std::string id;
            for (int n = used[step.id]; id.empty() || seen.count(id); ++n)
                id = fmt::format("{}-{}", step.id, n);
            seen.insert(id);
            step.id = std::move(id);
        }
    }
}

}  // namespace

Workflow parse_workflow(const SourceFile& source, Diagnostics& diags) {
    Workflow wf;
    const auto doc = parse_markdown(source, diags);
    if (diags.has_errors()) return wf;
    ParseContext ctx{source, diags, wf};

    const Block* title = nullptr;
    std::vector<const Block*> preamble;
    std::vector<SectionBlocks> sections;
    split_sections(ctx, *doc, preamble, sections, title);
    if (!title) {
        diags.error({1, 1}, source.text().find_first_not_of(" \t\n") == std::string::npos
                                ? "the file is empty: a workflow starts with `# Workflow: Title`"
                                : "no title: a workflow starts with a `# Workflow: Title` heading");
        return wf;
    }
    read_title(ctx, *title);
    read_description(ctx, preamble);

    // Sections are read in dependency order (guardrails refer to inputs and rollback steps), whatever
    // order the author wrote them in.
    const std::array order = {Section::description,   Section::inputs,         Section::outputs,
                              Section::prerequisites, Section::steps,          Section::rollback,
                              Section::on_failure,    Section::triggers,       Section::example_usage,
                              Section::guardrails,    Section::error_handling, Section::unknown};
    std::map<Section, const SectionBlocks*> first_of;
    for (const auto& s : sections) {
        if (s.section == Section::unknown) continue;
        const auto [it, inserted] = first_of.emplace(s.section, &s);
        if (!inserted) {
            diags.warning(ctx.pos(*s.heading_block),
                          fmt::format("a second '{}' section (the first is on line {}): both are read",
                                      s.heading, ctx.pos(*it->second->heading_block).line));
        }
    }
    bool has_steps = false, triggers_seen = false;
    for (const Section which : order) {
        for (const auto& s : sections) {
            if (s.section != which) continue;
            switch (which) {
                case Section::description:
                    read_description(ctx, s.blocks);
                    break;
                case Section::inputs:
                    parse_inputs(ctx, s.blocks);
                    break;
                case Section::outputs:
                    parse_outputs(ctx, s.blocks);
                    break;
                case Section::prerequisites:
                    parse_requires(ctx, s.blocks);
                    break;
                case Section::steps: {
                    has_steps = true;
                    const std::size_t before = wf.steps.size();
                    parse_steps(ctx, s.blocks, wf.steps, "Steps");
                    if (wf.steps.size() == before && !diags.has_errors()) {
                        diags.error(
                            ctx.pos(*s.heading_block),
                            "the Steps section has no steps: write them as `### 1. Title` headings or as a "
                            "numbered list `1. **Title**`");
                    }
                    break;
                }
                case Section::rollback:
                    parse_steps(ctx, s.blocks, wf.rollback, "Rollback");
                    break;
                case Section::on_failure:
                    // Steps when it has a list or step headings; prose alone stays advice, as it was
                    // before `## On Failure` steps existed.
                    if (has_step_blocks(s.blocks)) {
                        parse_steps(ctx, s.blocks, wf.on_failure, "On Failure");
                    } else {
                        const std::string text = render_markdown(s.blocks);
                        wf.error_handling =
                            wf.error_handling.empty() ? text : wf.error_handling + "\n\n" + text;
                    }
                    break;
                case Section::triggers:
                    triggers_seen = true;
                    parse_triggers(ctx, s.blocks);
                    break;
                case Section::example_usage:
                    parse_example_usage(ctx, s.blocks);
                    break;
                case Section::guardrails:
                    parse_guardrails(ctx, s.blocks);
                    break;
                case Section::error_handling: {
                    const std::string text = render_markdown(s.blocks);
                    wf.error_handling = wf.error_handling.empty() ? text : wf.error_handling + "\n\n" + text;
                    break;
                }
                case Section::unknown:
                    diags.warning(
                        ctx.pos(*s.heading_block),
                        fmt::format("unknown section '{}': kept as notes for the agent", s.heading));
                    wf.notes.push_back({s.heading, render_markdown(s.blocks), ctx.pos(*s.heading_block)});
                    break;
            }
        }
    }
    if (!has_steps) {
        diags.error(ctx.pos(*title), "no `## Steps` section: a workflow needs at least one step");
    }
    if (!triggers_seen) parse_triggers(ctx, {});
    check_references(ctx);
    if (!diags.has_errors()) check_workflow(ctx);
    return wf;
}

Section classify_section(std::string_view heading) {
    return classify(heading);
}

}  // namespace df::compiler
