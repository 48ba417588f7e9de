// What the builder does for the page, without HTTP: load, check, save, create and dry-run the workflows
// under one folder. Checking is `compile --graph svg` run in-process on the editor's text (run_compile,
// the same code `compile` runs), so the page shows what the command line would print. The server
// (server.cpp) only maps requests to these calls.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "compiler/builder/paths.h"

namespace df::compiler::builder {

// How a file ends its lines. The page's editor (a textarea) knows only LF, so the text it gets and sends
// has LF line endings; a save puts the file's own style back.
struct LineStyle {
    bool crlf = false;          // most lines end in CR LF
    bool final_newline = true;  // the last line ends in a line break (an empty file counts as one)
};
LineStyle line_style_of(std::string_view bytes);
std::string with_lf(std::string_view text);  // every CR LF as LF
// `text` (LF) with `style`'s line endings and final line break.
std::string in_line_style(std::string_view text, LineStyle style);

struct Loaded {
    std::string text;    // with LF line endings
    std::string sha256;  // of the bytes on disk: a save sends it back (conflict check)
    LineStyle style;     // of the file on disk
};

struct Checked {
    int exit_code = 0;                  // what `compile --check FILE` exits with
    std::string diagnostics;            // what it prints on stderr: diagnostics, then the guardrail report
    std::string svg;                    // the graph, when the workflow compiles and Graphviz's dot is there
    std::vector<std::string> step_ids;  // the ids the parser gives the steps (what `Needs:` names), in order
};

struct DryRun {
    int exit_code = 0;
    std::string output;  // `run --dry-run`'s stdout and stderr, as a terminal would show them
};

class Workspace {
  public:
    // `folder`: the one given to --edit, opened; every path is relative to it.
    explicit Workspace(Folder folder) : folder_(std::move(folder)) {}

    const std::string& root() const { return folder_.path(); }
    std::vector<std::string> list() const { return folder_.list(); }
    Result<Loaded> load(std::string_view path) const;
    Checked check(std::string_view path, const std::string& text) const;
    // Atomic, in the line style of the file it replaces (LF and a final line break for a new one); refused
    // (ExitCode::temp_fail) when the file on disk is no longer the one `base_sha256` names
    // (empty: the file must not exist yet, and a file that appears meanwhile is not replaced).
    Result<Loaded> save(std::string_view path, const std::string& text, std::string_view base_sha256);
    Result<Loaded> create(std::string_view path, std::string_view title, std::string_view description);
    // Compiles the text into a temporary folder and runs its `run --dry-run --NAME=VALUE…` (argv, no shell).
    Result<DryRun> dry_run(std::string_view path, const std::string& text,
                           const std::map<std::string, std::string>& inputs) const;

  private:
    Folder folder_;
    mutable std::mutex compile_mutex_;  // one compile at a time: the compiler was written for one thread
    std::mutex write_mutex_;            // the conflict check and the rename happen together
};

}  // namespace df::compiler::builder
