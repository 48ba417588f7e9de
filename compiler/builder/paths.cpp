#include "compiler/builder/paths.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

#include "common/text.h"

namespace df::compiler::builder {
namespace {

Error refused(std::string_view path, std::string_view why) {
    return Error{ExitCode::usage, fmt::format("'{}' is refused: {}", path, why)};
}

// What a failed open below the folder means, said once for both resolvers.
Error open_error(int error, std::string_view path, std::string_view missing) {
    switch (error) {
        case ELOOP:
            return refused(path,
                           "it is or passes through a symlink, and the builder follows none (one could "
                           "lead out of the folder)");
        case EXDEV:
            return refused(path, "it leads out of the folder");
        case ENOTDIR:
            return refused(path, "a folder on its way is not a folder");
        case ENOENT:
            return Error{ExitCode::no_input, fmt::format("'{}': {}", path, missing)};
        default:
            return Error{ExitCode::io_error, fmt::format("'{}': {}", path, errno_text(error))};
    }
}

constexpr int kFolderFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

int openat2_beneath(int dir, const std::string& relative, int flags) {
    open_how how{};
    how.flags = static_cast<unsigned long long>(flags);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    long fd = -1;
    for (int tries = 0; tries < 8; ++tries) {  // EAGAIN: a rename raced the walk; the kernel asks to retry
        fd = ::syscall(SYS_openat2, dir, relative.c_str(), &how, sizeof how);
        if (fd >= 0 || errno != EAGAIN) break;
    }
    return static_cast<int>(fd);
}

// Whether this kernel (and its seccomp filter, in a container) lets openat2 resolve beneath a folder.
bool openat2_works(int dir) {
    const int fd = openat2_beneath(dir, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return false;
    ::close(fd);
    return true;
}

constexpr int kMaxDepth = 8;             // folders deeper than this are not listed
constexpr std::size_t kMaxFiles = 2000;  // a builder started on / must not walk the disk

// Lists the folder `dir` (a descriptor the caller keeps), then its subfolders, each opened from its parent
// without following a symlink.
void walk(int dir, const std::string& relative, int depth, std::vector<std::string>& out) {
    struct stat st {};
    if (::fstatat(dir, "skill.json", &st, AT_SYMLINK_NOFOLLOW) == 0) return;  // a compiled skill folder
    const int listing = ::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (listing < 0) return;
    DIR* handle = ::fdopendir(listing);
    if (!handle) {
        ::close(listing);
        return;
    }
    std::vector<std::string> folders;
    while (const dirent* entry = ::readdir(handle)) {
        const std::string name = entry->d_name;
        if (name.empty() || name[0] == '.' || out.size() >= kMaxFiles) continue;
        if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        const std::string rel = relative.empty() ? name : relative + "/" + name;
        if (S_ISDIR(st.st_mode) && depth < kMaxDepth) {
            folders.push_back(name);
        } else if (S_ISREG(st.st_mode) && check_relative_path(rel)) {
            out.push_back(rel);
        }
    }
    ::closedir(handle);
    for (const auto& name : folders) {
        const UniqueFd sub(::openat(dir, name.c_str(), kFolderFlags));
        if (sub) walk(sub.get(), relative.empty() ? name : relative + "/" + name, depth + 1, out);
    }
}

}  // namespace

Status check_relative_path(std::string_view path) {
    if (path.empty()) return refused(path, "no file named");
    if (path.size() > 1024) return refused(path.substr(0, 64), "the path is too long");
    if (path[0] == '/') return refused(path, "absolute paths are not served; name a file under the folder");
    for (const unsigned char c : path) {
        if (c < 0x20 || c == 0x7f || c == '\\') return refused(path, "control characters or backslashes");
    }
    if (find_invalid_utf8(path)) return refused(path, "not UTF-8");
    for (const auto part : split(path, '/')) {
        if (part.empty() || part == "." || part == "..") {
            return refused(path, "empty, '.' and '..' components lead elsewhere");
        }
        if (part[0] == '.') return refused(path, "hidden files and folders are not served");
    }
    if (path.size() < 4 || !path.ends_with(".md"))
        return refused(path, "only workflow files (*.md) are served");
    return ok();
}

Result<Folder> Folder::open(const std::string& path, Resolver resolver) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return Error{ExitCode::no_input, fmt::format("{}: {}", path, errno_text(errno))};
    if (resolver == Resolver::automatic) {
        resolver = openat2_works(fd.get()) ? Resolver::openat2 : Resolver::components;
    }
    return Folder(std::move(fd), path, resolver);
}

Result<UniqueFd> Folder::open_folder(std::string_view relative_folder, std::string_view path) const {
    if (relative_folder.empty()) {
        UniqueFd same(::openat(fd_.get(), ".", kFolderFlags));
        if (!same) return open_error(errno, path, "its folder does not exist");
        return same;
    }
    if (resolver_ == Resolver::openat2) {
        UniqueFd fd(openat2_beneath(fd_.get(), std::string(relative_folder), kFolderFlags));
        if (fd) return fd;
        // Refused: the walk below finds which component it was, to say why (a symlink or not a folder).
        if (errno != ENOTDIR && errno != ELOOP) return open_error(errno, path, "its folder does not exist");
    }
    UniqueFd current(::openat(fd_.get(), ".", kFolderFlags));
    if (!current) return open_error(errno, path, "its folder does not exist");
    for (const auto part : split(relative_folder, '/')) {
        const std::string name(part);
        const int next = ::openat(current.get(), name.c_str(), kFolderFlags);
        if (next < 0) {
            // O_NOFOLLOW with O_DIRECTORY answers ENOTDIR for a symlink: look at the component itself.
            int error = errno;
            struct stat st {};
            if (error == ENOTDIR && ::fstatat(current.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                S_ISLNK(st.st_mode)) {
                error = ELOOP;
            }
            return open_error(error, path, "its folder does not exist");
        }
        current = UniqueFd(next);
    }
    return current;
}

Result<Place> Folder::place(std::string_view relative) const {
    if (auto s = check_relative_path(relative); !s) return s.error();
    const std::size_t slash = relative.rfind('/');
    const std::string_view folder = slash == std::string_view::npos ? "" : relative.substr(0, slash);
    auto fd = open_folder(folder, relative);
    if (!fd) return fd.error();
    const std::string name(slash == std::string_view::npos ? relative : relative.substr(slash + 1));
    return Place(std::move(*fd), name, std::string(relative));
}

std::vector<std::string> Folder::list() const {
    std::vector<std::string> out;
    walk(fd_.get(), "", 0, out);
    std::sort(out.begin(), out.end());
    return out;
}

Result<std::optional<OnDisk>> Place::read(std::size_t max_bytes) const {
    // O_NONBLOCK: a FIFO named like a workflow must not hang the request (it is then refused below).
    UniqueFd fd(::openat(folder_.get(), name_.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) return std::optional<OnDisk>{};
        return open_error(errno, path_, "no such file");
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return open_error(errno, path_, "no such file");
    if (!S_ISREG(st.st_mode)) return refused(path_, "not a regular file");
    // Another name of the same file may be outside the folder (a hard link needs no permission on its
    // target's folder): its bytes must not be served, nor its permissions copied by a save.
    if (st.st_nlink > 1) {
        return refused(path_, fmt::format("it is a hard link ({} names for one file, perhaps one outside the "
                                          "folder); copy the file instead of linking it",
                                          st.st_nlink));
    }
    std::FILE* stream = ::fdopen(fd.get(), "rb");
    if (!stream) return open_error(errno, path_, "no such file");
    fd.release();  // the stream owns it now
    auto bytes = read_stream(stream, max_bytes, path_);
    std::fclose(stream);
    if (!bytes) return bytes.error();
    return std::optional<OnDisk>{OnDisk{std::move(*bytes), st.st_mode & 07777}};
}

Status Place::replace(std::string_view content, mode_t mode, bool create_only) const {
    const std::string temp = fmt::format(".{}.tmp-{}-{}", name_, ::getpid(), random_suffix());
    UniqueFd fd(
        ::openat(folder_.get(), temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
    if (!fd)
        return Error{ExitCode::io_error,
                     fmt::format("cannot create a temporary file beside '{}': {}", path_, errno_text(errno))};
    auto fail = [&](Error e) {
        ::unlinkat(folder_.get(), temp.c_str(), 0);
        return e;
    };
    if (::fchmod(fd.get(), mode) != 0) {  // the umask must not loosen or tighten the file's permissions
        return fail(
            Error{ExitCode::io_error, fmt::format("cannot chmod '{}': {}", path_, errno_text(errno))});
    }
    if (auto s = write_all(fd.get(), content, path_); !s) return fail(s.error());
    if (auto s = fsync_fd(fd.get(), path_); !s) return fail(s.error());
    if (auto s = fd.close(path_); !s) return fail(s.error());
    int renamed = ::renameat2(folder_.get(), temp.c_str(), folder_.get(), name_.c_str(),
                              create_only ? RENAME_NOREPLACE : 0);
    if (renamed != 0 && create_only && errno == EINVAL) {  // a file system without RENAME_NOREPLACE
        renamed = ::linkat(folder_.get(), temp.c_str(), folder_.get(), name_.c_str(), 0);
        if (renamed == 0) ::unlinkat(folder_.get(), temp.c_str(), 0);
    }
    if (renamed != 0) {
        if (errno == EEXIST) {
            return fail(
                Error{ExitCode::cant_create,
                      fmt::format("{} exists already; nothing saved (open it from the list)", path_)});
        }
        return fail(
            Error{ExitCode::io_error, fmt::format("cannot replace '{}': {}", path_, errno_text(errno))});
    }
    return fsync_fd(folder_.get(), path_);
}

}  // namespace df::compiler::builder
