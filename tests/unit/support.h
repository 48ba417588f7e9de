// Helpers for the compiler's unit tests: parse a workflow from a string and look at what came out.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/workflow.h"
#include "compiler/diagnostics.h"
#include "compiler/parser.h"
#include "compiler/source.h"

namespace df::test {

struct Parsed {
    std::unique_ptr<compiler::Diagnostics> diags = std::make_unique<compiler::Diagnostics>();
    std::unique_ptr<compiler::SourceFile> source;
    Workflow wf;

    bool ok() const { return !diags->has_errors(); }
    // Every diagnostic rendered as compile prints it (file:line:col: severity: message, source line, caret).
    std::string rendered() const;
    // True when some diagnostic of `severity` contains `text`.
    bool has(compiler::Severity severity, std::string_view text) const;
    bool has_error(std::string_view text) const { return has(compiler::Severity::error, text); }
    bool has_warning(std::string_view text) const { return has(compiler::Severity::warning, text); }
    // The first diagnostic that contains `text` (fails the test when there is none).
    const compiler::Diagnostic& find(std::string_view text) const;
};

// Parses `markdown` as the file `name`; parsing is skipped when the bytes themselves are refused.
Parsed parse(std::string_view markdown, std::string name = "wf.md");

// A minimal valid workflow around `sections` ("## Inputs\n- `x`: …"), with one agent step unless
// `sections` brings its own Steps.
std::string workflow(std::string_view sections);

// The source root (for docs/ and workflow-templates/).
std::string source_dir();

// The manifest keeps lines, not columns, and not what only the checks read (the step bullets' positions and
// values as written): what a skill.json round trip preserves.
// Inline, so the fuzzer (which does not link Catch) shares it.
inline void drop_columns(Workflow& wf) {
    for (auto& i : wf.inputs) i.pos.column = 0;
    for (auto& o : wf.outputs) o.pos.column = 0;
    for (auto* list : {&wf.steps, &wf.rollback, &wf.on_failure}) {
        for (auto& s : *list) {
            s.pos.column = 0;
            // What only compile's checks read (positions and bullets as written): not in skill.json.
            s.needs_pos = s.condition_pos = s.undoes_pos = s.approval_pos = s.approvers_pos = s.foreach_pos =
                s.uses_pos = s.with_pos = {};
            s.approval_written.clear();
            s.foreach_written.clear();
            s.with_written.clear();
        }
    }
    for (auto& g : wf.guardrails) g.pos.column = 0;
    for (auto& t : wf.triggers) t.pos.column = 0;
    for (auto& n : wf.notes) n.pos.column = 0;
}

}  // namespace df::test
