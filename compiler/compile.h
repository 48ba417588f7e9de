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
    std::vector<std::string> inputs;     // workflow files; "-" is standard input
    std::string stdin_name = "<stdin>";  // what diagnostics call "-" (the builder: the file being edited)
    std::string out_dir = "output";
    bool check = false;                // validate only; write nothing
    bool strict = false;               // warnings are errors
    bool json = false;                 // machine report on stdout instead of folder paths
    bool force = false;                // replace folders compile did not make, write through symlinks
    bool quiet = false;                // no guardrail report
    bool color = false;                // ANSI colours in diagnostics
    std::optional<GraphFormat> graph;  // print this one workflow's graph instead of writing its folder
    // Each folder is named after its workflow file (flow.md → out_dir/flow), not after the skill, so that
    // make's `out/%/skill.json: %.md` rules know the folder before compiling.
    bool name_from_file = false;
    std::string depfile;  // also write a Makefile-style dependency file here
    // The inputs are skill folders: compile each one's workflow (skill.json's source.path) in memory and
    // report every file that differs from the folder. Writes nothing.
    bool verify = false;
};

// Compiles every input. Stdout gets one generated folder per line (or the JSON report); stderr gets
// diagnostics and the guardrail report. Returns the exit code (docs/exit-codes.md); with `verify`,
// ExitCode::failed also when a folder differs from a fresh compile.
ExitCode run_compile(const CompileOptions& options, std::istream& stdin_stream, std::ostream& out,
                     std::ostream& err);

}  // namespace df::compiler
