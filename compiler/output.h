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

// The .gitignore every skill folder gets: run records are local state, never part of the generated skill.
GeneratedFile run_state_gitignore();

// What differs between the skill folder `dir` and `files` (a fresh compile), one line per file, relative
// to `dir`: "SKILL.md: content differs", "run: mode 0644, expected 0755", "lib/x.sh: missing",
// "notes.txt: not made by compile". state/ is left out. Empty when they are the same.
// Errors: ExitCode::no_input (cannot read `dir`), ExitCode::data_error (not a folder compile made).
Result<std::vector<std::string>> folder_differences(const std::string& dir,
                                                    const std::vector<GeneratedFile>& files);

// The files of the skill folder `dir` as compile made them (state/ left out): a compiled skill bundled as a
// child workflow. Errors: ExitCode::data_error (not a folder compile made).
Result<std::vector<GeneratedFile>> read_skill_files(const std::string& dir);

struct WriteResult {
    std::string path;      // out_dir/name
    bool changed = false;  // false: the folder already held exactly these files, nothing was touched
};

// A skill folder written beside its final place (".<name>.tmp-<pid>-…"), not yet swapped in.
struct StagedFolder {
    std::string out_dir, name, tmp;
    bool replace = false;     // a folder (or, with force, something else) is there now
    bool keep_state = false;  // the folder there is a folder: its state/ moves into the new one
    WriteResult result;       // result.changed false: nothing to swap, tmp is empty
};

// Writing is in two passes so that a batch costs two file-system syncs instead of one fsync per file
// (1,000 folders: 22 s → well under 1 s), while each folder still appears whole or not at all, and never
// unflushed: stage every folder, sync_output once, commit every folder, sync_output again.
//
// stage_skill_folder creates `out_dir` when missing and writes the new folder beside its final place;
// files whose content did not change keep their modification time, so make sees them as unchanged.
// Errors: ExitCode::cant_create (a symlink, a file, or a folder compile did not make, without `force`),
// ExitCode::io_error (a write failed; nothing was changed).
Result<StagedFolder> stage_skill_folder(const std::string& out_dir, const std::string& name,
                                        const std::vector<GeneratedFile>& files, bool force);
// Call once before stage_skill_folder runs on several threads at once (staging_pool.h).
void prepare_parallel_staging();
// Makes everything written under `out_dir` so far durable (syncfs of its file system).
Status sync_output(const std::string& out_dir);
// Swaps a staged folder in with one rename (RENAME_EXCHANGE); the run records in state/ move along.
// Errors: ExitCode::io_error (the rename failed; the previous folder is then intact).
Result<WriteResult> commit_skill_folder(const StagedFolder& staged);
// Drops a staged folder that will not be committed.
void discard_staged(const StagedFolder& staged);

// The three steps for one folder.
Result<WriteResult> write_skill_folder(const std::string& out_dir, const std::string& name,
                                       const std::vector<GeneratedFile>& files, bool force);

}  // namespace df::compiler
