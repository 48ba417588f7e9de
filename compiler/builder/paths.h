// Which files the builder may read and write: workflow files (*.md) under the folder it was started on,
// named by relative paths the page sends. Every path from the page passes check_relative_path. The folder is
// opened once (Folder) and every file is reached from that descriptor, one component at a time, with no
// symlink followed (openat2's RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, or openat with O_NOFOLLOW on each
// component where the kernel lacks openat2): a path component swapped for a symlink between a check and the
// access cannot lead the builder out of the folder, because there is no separate check to race.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "common/error.h"
#include "common/files.h"

namespace df::compiler::builder {

// A relative path of a workflow file: `a/b.md`. Refused: empty, absolute, a `.`, `..` or empty component,
// a hidden component (`.git/x.md`), control characters or backslashes, and names not ending in `.md`.
Status check_relative_path(std::string_view path);

// A file's bytes and permissions as read from disk.
struct OnDisk {
    std::string bytes;
    mode_t mode = 0644;
};

// One workflow file's place: the opened folder holding it and its name there. Reads and writes go through
// that folder's descriptor (openat, renameat), never through the path again.
class Place {
  public:
    Place(UniqueFd folder, std::string name, std::string path)
        : folder_(std::move(folder)), name_(std::move(name)), path_(std::move(path)) {}

    const std::string& path() const { return path_; }  // relative to the builder's folder, for messages
    // The file, or nullopt when there is none. Refused: a symlink, anything but a regular file.
    Result<std::optional<OnDisk>> read(std::size_t max_bytes) const;
    // Writes a temporary file beside it and renames it into place (atomic; fsync of file and folder). With
    // `create_only` the rename refuses to replace a file that appeared meanwhile (ExitCode::cant_create).
    Status replace(std::string_view content, mode_t mode, bool create_only) const;

  private:
    UniqueFd folder_;
    std::string name_, path_;
};

class Folder {
  public:
    // How paths below the folder are resolved: openat2(2) where the kernel has it, else component by
    // component; `automatic` probes once at open. Tests force each.
    enum class Resolver { automatic, openat2, components };

    // Opens the folder given to --edit (it may itself be reached through a symlink: the user named it).
    static Result<Folder> open(const std::string& path, Resolver resolver = Resolver::automatic);

    const std::string& path() const { return path_; }
    Resolver resolver() const { return resolver_; }

    // The place of `relative` (checked by check_relative_path): its folder must exist, and neither it nor
    // any folder on the way may be a symlink (ExitCode::usage, saying so).
    Result<Place> place(std::string_view relative) const;

    // The workflow files, relative, sorted: *.md regular files, not in hidden folders, not inside compiled
    // skill folders (those holding skill.json: their SKILL.md and README.md are output), never through a
    // symlink; at most 2,000 files, 8 folders deep.
    std::vector<std::string> list() const;

  private:
    Folder(UniqueFd fd, std::string path, Resolver resolver)
        : fd_(std::move(fd)), path_(std::move(path)), resolver_(resolver) {}
    Result<UniqueFd> open_folder(std::string_view relative_folder, std::string_view path) const;

    UniqueFd fd_;
    std::string path_;
    Resolver resolver_;
};

}  // namespace df::compiler::builder
