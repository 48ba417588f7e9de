// What compile tells people and programs about a compiled workflow: the guardrail report (stderr) and the
// --json document (stdout).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/manifest.h"
#include "compiler/diagnostics.h"
#include "compiler/source.h"

namespace df::compiler {

// One line per step, `file:line: step ID "Title": command (…)` or `agent (…)`, then one per guardrail:
// `file:line: guardrail enforced (kind): "text" -> interpretation`.
std::string guardrail_report(const SourceFile& source, const Workflow& workflow);

struct FileReport {
    std::string source;
    std::vector<Diagnostic> diagnostics;
    std::optional<Manifest> manifest;  // when it parsed without errors
    std::string output;                // the folder written, if any
    bool changed = false;
};

std::string json_report(const std::vector<FileReport>& files);

}  // namespace df::compiler
