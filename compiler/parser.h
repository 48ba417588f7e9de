// workflow.md → Workflow. Reads the Markdown tree section by section; every problem becomes a diagnostic
// with a position, and parsing goes on so one run reports all of a file's problems.
#pragma once

#include <string_view>

#include "common/workflow.h"
#include "compiler/diagnostics.h"
#include "compiler/source.h"

namespace df::compiler {

// Limits on the workflow's own structures (the source size and Markdown nesting are limited earlier).
inline constexpr std::size_t kMaxSteps = 1000;
inline constexpr std::size_t kMaxInputs = 200;
inline constexpr std::size_t kMaxOutputs = 200;
inline constexpr std::size_t kMaxGuardrails = 200;
inline constexpr std::size_t kMaxTriggers = 50;
inline constexpr std::size_t kMaxTitleBytes = 200;
inline constexpr std::size_t kMaxNameBytes = 64;

// The sections of a workflow file; `## Procedure` and the other names people use map to one of them.
enum class Section {
    description,
    inputs,
    steps,
    outputs,
    guardrails,
    error_handling,
    example_usage,
    triggers,
    rollback,
    on_failure,
    prerequisites,
    unknown
};

// The section a `## heading` names (case and punctuation ignored); Section::unknown for any other.
Section classify_section(std::string_view heading);

// Parses a usable source (see SourceFile::usable). The result is meaningful only when `diags` holds no
// errors afterwards.
Workflow parse_workflow(const SourceFile& source, Diagnostics& diags);

}  // namespace df::compiler
