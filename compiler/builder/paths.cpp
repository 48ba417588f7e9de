#include "compiler/builder/paths.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <dirent.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include "common/files.h"
#include "common/text.h"

namespace df::compiler::builder {
namespace {

Error refused(std::string_view path, std::string_view why) {
    return Error{ExitCode::usage, fmt::format("'{}' is refused: {}", path, why)};
}

// realpath(3) as a Result; ENOENT and the rest are reported with the path.
Result<std::string> real(const std::string& path) {
    char buffer[PATH_MAX];
    if (!::realpath(path.c_str(), buffer)) {
        return Error{ExitCode::no_input, fmt::format("{}: {}", path, errno_text(errno))};
    }
    return std::string(buffer);
}

bool inside(const std::string& root, const std::string& path) {
    return path.size() > root.size() && path.compare(0, root.size(), root) == 0 && path[root.size()] == '/';
}

constexpr int kMaxDepth = 8;             // folders deeper than this are not listed
constexpr std::size_t kMaxFiles = 2000;  // a builder started on / must not walk the disk

void walk(const std::string& root, const std::string& relative, int depth, std::vector<std::string>& out) {
    const std::string dir = relative.empty() ? root : root + "/" + relative;
    struct stat st {};
    if (::lstat((dir + "/skill.json").c_str(), &st) == 0) return;  // a compiled skill folder: output
    DIR* handle = ::opendir(dir.c_str());
    if (!handle) return;
    std::vector<std::string> folders;
    while (const dirent* entry = ::readdir(handle)) {
        const std::string name = entry->d_name;
        if (name.empty() || name[0] == '.' || out.size() >= kMaxFiles) continue;
        const std::string rel = relative.empty() ? name : relative + "/" + name;
        if (::lstat((root + "/" + rel).c_str(), &st) != 0) continue;
        if (S_ISDIR(st.st_mode) && depth < kMaxDepth) {
            folders.push_back(rel);
        } else if (S_ISREG(st.st_mode) && check_relative_path(rel)) {
            out.push_back(rel);
        }
    }
    ::closedir(handle);
    for (const auto& folder : folders) walk(root, folder, depth + 1, out);
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

Result<std::string> resolve_inside(const std::string& root, std::string_view path) {
    if (auto s = check_relative_path(path); !s) return s.error();
    const auto real_root = real(root);
    if (!real_root) return real_root.error();
    const std::string full = *real_root + "/" + std::string(path);
    const std::size_t slash = full.rfind('/');
    const auto folder = real(full.substr(0, slash));
    if (!folder) return refused(path, "its folder does not exist");
    if (*folder != *real_root && !inside(*real_root, *folder))
        return refused(path, "it leads out of the folder");
    const std::string file = *folder + full.substr(slash);
    struct stat st {};
    if (::lstat(file.c_str(), &st) != 0) {
        if (errno == ENOENT) return file;  // a new workflow
        return Error{ExitCode::no_input, fmt::format("{}: {}", path, errno_text(errno))};
    }
    if (S_ISLNK(st.st_mode)) {
        const auto target = real(file);
        if (!target || !inside(*real_root, *target))
            return refused(path, "it is a symlink leading out of the folder");
        if (::stat(target->c_str(), &st) != 0 || !S_ISREG(st.st_mode))
            return refused(path, "not a regular file");
        return *target;
    }
    if (!S_ISREG(st.st_mode)) return refused(path, "not a regular file");
    return file;
}

std::vector<std::string> list_workflows(const std::string& root) {
    std::vector<std::string> out;
    walk(root, "", 0, out);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace df::compiler::builder
