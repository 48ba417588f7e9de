// The compile program's core: options in, exit code out. main.cpp parses flags; tests call this directly.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "compiler/graph.h"

namespace df::compiler {

struct CompileOptions {
    std::vector<std::string> inputs;  // workflow files; "-" is standard input
    std::string out_dir = "output";
    bool check = false;   // validate only; write nothing
    bool strict = false;  // warnings are errors
    bool json = false;    // machine report on stdout instead of folder paths
    bool force = false;   // replace folders compile did not make, write through symlinks
    bool quiet = false;   // no guardrail report
    bool color = false;   // ANSI colours in diagnostics
    std::optional<GraphFormat> graph;  // print this one workflow's graph instead of writing its folder
};

// Compiles every input. Stdout gets one generated folder per line (or the JSON report); stderr gets
// diagnostics and the guardrail report. Returns the exit code (docs/exit-codes.md).
ExitCode run_compile(const CompileOptions& options, std::istream& stdin_stream, std::ostream& out,
                     std::ostream& err);

}  // namespace df::compiler
