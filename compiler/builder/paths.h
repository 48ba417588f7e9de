// Which files the builder may read and write: workflow files (*.md) under the folder it was started on,
// named by relative paths the page sends. Every path from the page passes check_relative_path, and every
// file is opened through resolve_inside, so `..`, absolute paths and symlinks leading out never escape.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace df::compiler::builder {

// A relative path of a workflow file: `a/b.md`. Refused: empty, absolute, a `.`, `..` or empty component,
// a hidden component (`.git/x.md`), control characters or backslashes, and names not ending in `.md`.
Status check_relative_path(std::string_view path);

// root/path with every symlink resolved, when it stays inside root (itself resolved). The file need not
// exist (a new workflow), but its folder must. Refused when it or a folder on the way leads out of root,
// or when it names something other than a regular file.
Result<std::string> resolve_inside(const std::string& root, std::string_view path);

// The workflow files under root, relative, sorted: *.md files, not in hidden folders, not inside compiled
// skill folders (those holding skill.json: their SKILL.md and README.md are output), not through symlinks.
std::vector<std::string> list_workflows(const std::string& root);

}  // namespace df::compiler::builder
