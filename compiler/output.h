// Writing a skill folder under --out: all or nothing, never outside --out, never through a symlink,
// never over a folder compile did not make (unless forced), and not at all when nothing changed.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"
#include "compiler/generator.h"

namespace df::compiler {

// The run records' folder inside a skill folder; the one thing a recompilation carries over.
inline constexpr std::string_view kStateDir = "state";

struct WriteResult {
    std::string path;      // out_dir/name
    bool changed = false;  // false: the folder already held exactly these files, nothing was touched
};

// Creates `out_dir` when missing. The folder is built beside its final place and swapped in with one
// rename; files whose content did not change keep their modification time, so make sees them as unchanged.
// Errors: ExitCode::cant_create (a symlink, a file, or a folder compile did not make, without `force`),
// ExitCode::io_error (a write, fsync or rename failed; the previous folder is then intact).
Result<WriteResult> write_skill_folder(const std::string& out_dir, const std::string& name,
                                       const std::vector<GeneratedFile>& files, bool force);

}  // namespace df::compiler
