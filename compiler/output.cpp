#include "compiler/output.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <dirent.h>
#include <fcntl.h>
#include <functional>
#include <linux/fs.h>
#include <map>
#include <mutex>
#include <set>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

#include "common/files.h"
#include "common/manifest.h"

namespace df::compiler {
namespace {

Error io_error(std::string_view action, std::string_view path, int err) {
    return Error{ExitCode::io_error, fmt::format("cannot {} '{}': {}", action, path, errno_text(err))};
}

int rename_exchange(int dirfd, const char* a, const char* b) {
#ifdef SYS_renameat2
    return static_cast<int>(::syscall(SYS_renameat2, dirfd, a, dirfd, b, RENAME_EXCHANGE));
#else
    errno = ENOSYS;
    return -1;
#endif
}

// Removes `name` under `dirfd` recursively without following symlinks.
void remove_tree(int dirfd, const std::string& name) {
    struct stat st {};
    if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return;
    if (!S_ISDIR(st.st_mode)) {
        ::unlinkat(dirfd, name.c_str(), 0);
        return;
    }
    const int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
        if (DIR* dir = ::fdopendir(fd)) {
            std::vector<std::string> entries;
            while (const dirent* e = ::readdir(dir)) {
                const std::string entry = e->d_name;
                if (entry != "." && entry != "..") entries.push_back(entry);
            }
            for (const auto& entry : entries) remove_tree(::dirfd(dir), entry);
            ::closedir(dir);
        } else {
            ::close(fd);
        }
    }
    ::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR);
}

// The names in an output folder that may be leftovers of an interrupted compile (".<name>.tmp-…",
// ".<name>.old-…"), read once per folder and process. Reading the folder for every skill made a batch
// quadratic: 1,000 skills read a folder of up to 2,000 entries 1,000 times (a quarter of the batch's system
// time). A leftover that appears while this process runs is removed by the next compile. Folders are staged
// on several threads (staging_pool.h): the first one reads the folder, the others wait for its list.
const std::vector<std::string>& possible_leftovers(int outfd) {
    static std::mutex mutex;
    static std::map<std::pair<dev_t, ino_t>, std::vector<std::string>> listed;
    static const std::vector<std::string> none;
    struct stat st {};
    if (::fstat(outfd, &st) != 0) return none;
    const std::lock_guard lock(mutex);
    auto [it, fresh] = listed.try_emplace({st.st_dev, st.st_ino});
    if (!fresh) return it->second;
    const int fd = ::openat(outfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return it->second;
    DIR* dir = ::fdopendir(fd);
    if (!dir) {
        ::close(fd);
        return it->second;
    }
    while (const dirent* e = ::readdir(dir)) {
        const std::string_view entry = e->d_name;
        if (entry.size() > 1 && entry[0] == '.' &&
            (entry.find(".tmp-") != std::string_view::npos ||
             entry.find(".old-") != std::string_view::npos)) {
            it->second.emplace_back(entry);
        }
    }
    ::closedir(dir);
    return it->second;
}

// Leftovers of an interrupted compile (".<name>.tmp-<pid>-…", ".<name>.old-<pid>-…") whose process is gone.
void remove_stale_temporaries(int outfd, const std::string& name) {
    std::vector<std::string> stale;
    for (const std::string& entry : possible_leftovers(outfd)) {
        for (const std::string& prefix : {"." + name + ".tmp-", "." + name + ".old-"}) {
            if (entry.rfind(prefix, 0) != 0) continue;
            const long pid = std::strtol(entry.c_str() + prefix.size(), nullptr, 10);
            if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) stale.push_back(entry);
        }
    }
    for (const auto& entry : stale) remove_tree(outfd, entry);
}

Status make_directories(const std::string& path) {
    std::string partial;
    for (std::size_t i = 0; i <= path.size(); ++i) {
        if (i == path.size() || (path[i] == '/' && i > 0)) {
            partial = path.substr(0, i);
            if (::mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) {
                return Error{ExitCode::cant_create,
                             fmt::format("cannot create '{}': {}", partial, errno_text(errno))};
            }
        }
    }
    return ok();
}

struct ExistingFile {
    std::string content;
    mode_t mode = 0;
    struct timespec mtime {};
};

// How deep a skill folder's sub-folders go: lib/evidence/ is two levels, and each child workflow bundled
// under children/<name>/ adds two (a child of a child, four).
constexpr int kMaxFolderDepth = 16;

// What an existing skill folder holds: its regular files (up to kMaxFolderDepth sub-folder levels deep) and
// whether anything else is there. Returns nullopt when it is not a folder compile made.
std::optional<std::map<std::string, ExistingFile>> read_existing(int outfd, const std::string& name,
                                                                 bool* extra_entries) {
    std::map<std::string, ExistingFile> files;
    std::function<bool(int, const std::string&, int)> walk = [&](int parent, const std::string& rel,
                                                                 int depth) {
        const int fd = ::openat(parent, rel.empty() ? name.c_str() : rel.substr(rel.rfind('/') + 1).c_str(),
                                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) return false;
        DIR* dir = ::fdopendir(fd);
        if (!dir) return ::close(fd), false;
        while (const dirent* e = ::readdir(dir)) {
            const std::string entry = e->d_name;
            if (entry == "." || entry == "..") continue;
            const std::string path = rel.empty() ? entry : rel + "/" + entry;
            if (rel.empty() && entry == kStateDir) continue;
            struct stat st {};
            if (::fstatat(::dirfd(dir), entry.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
            if (S_ISDIR(st.st_mode) && depth < kMaxFolderDepth) {
                walk(::dirfd(dir), path, depth + 1);
            } else if (S_ISREG(st.st_mode) && st.st_size <= 16 * 1024 * 1024) {
                UniqueFd f(::openat(::dirfd(dir), entry.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
                ExistingFile file;
                file.mode = st.st_mode & 07777;
                file.mtime = st.st_mtim;
                char buffer[65536];
                ssize_t n;
                while (f && (n = ::read(f.get(), buffer, sizeof buffer)) > 0)
                    file.content.append(buffer, static_cast<std::size_t>(n));
                files.emplace(path, std::move(file));
            } else {
                *extra_entries = true;
            }
        }
        ::closedir(dir);
        return true;
    };
    if (!walk(outfd, "", 0)) return std::nullopt;
    const auto manifest = files.find(std::string(kManifestFile));
    if (manifest == files.end())
        return files.empty() && !*extra_entries ? std::optional(files) : std::nullopt;
    const auto parsed = read_manifest(manifest->second.content, "skill.json");
    if (!parsed) {
        // A manifest we cannot read may still be ours (an older or damaged one): judge by its compiler name.
        if (manifest->second.content.find(std::string("\"") + std::string(kCompilerName) + "\"") ==
            std::string::npos) {
            return std::nullopt;
        }
    }
    return files;
}

// The umask, read once: reading it means setting it for a moment, so it is read before any staging thread
// starts (prepare_parallel_staging), never while another thread creates files.
mode_t process_umask() {
    static const mode_t mask = [] {
        const mode_t m = ::umask(077);
        ::umask(m);
        return m;
    }();
    return mask;
}

Status write_new_folder(int outfd, const std::string& tmp, const std::vector<GeneratedFile>& files,
                        const std::map<std::string, ExistingFile>& existing, const std::string& display) {
    if (::mkdirat(outfd, tmp.c_str(), 0755) != 0) return io_error("create", display, errno);
    UniqueFd dirfd(::openat(outfd, tmp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dirfd) return io_error("open", display, errno);
    std::set<std::string> made;  // sub-folders made so far: one mkdirat each, not one per file
    for (const auto& f : files) {
        // Each folder on the way (lib/evidence/commands.sh has two).
        for (auto slash = f.path.find('/'); slash != std::string::npos; slash = f.path.find('/', slash + 1)) {
            const std::string sub = f.path.substr(0, slash);
            if (made.insert(sub).second && ::mkdirat(dirfd.get(), sub.c_str(), 0755) != 0 && errno != EEXIST)
                return io_error("create", sub, errno);
        }
        const std::string shown = display + "/" + f.path;
        UniqueFd fd(::openat(dirfd.get(), f.path.c_str(),
                             O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, f.mode));
        if (!fd) return io_error("create", shown, errno);
        if (auto s = write_all(fd.get(), f.content, shown); !s) return s;
        // open() applied the umask; only when that took bits away is the mode set again.
        if ((f.mode & ~process_umask()) != f.mode && ::fchmod(fd.get(), f.mode) != 0)
            return io_error("chmod", shown, errno);
        // An unchanged file keeps its old modification time, so build tools do not redo work.
        const auto old = existing.find(f.path);
        if (old != existing.end() && old->second.content == f.content) {
            const struct timespec times[2] = {{0, UTIME_OMIT}, old->second.mtime};
            ::futimens(fd.get(), times);
        }
        // No fsync here: sync_output flushes the whole batch before any folder is swapped in.
        if (auto s = fd.close(shown); !s) return s;
    }
    return ok();
}

bool unchanged(const std::vector<GeneratedFile>& files, const std::map<std::string, ExistingFile>& existing,
               bool extra_entries) {
    if (extra_entries || existing.size() != files.size()) return false;
    for (const auto& f : files) {
        const auto it = existing.find(f.path);
        if (it == existing.end() || it->second.content != f.content || it->second.mode != f.mode)
            return false;
    }
    return true;
}

}  // namespace

GeneratedFile run_state_gitignore() {
    return {".gitignore",
            fmt::format("# Run records of local runs (run's state folder): not part of the skill.\n/{}/\n",
                        kStateDir),
            0644};
}

Result<std::vector<std::string>> folder_differences(const std::string& dir,
                                                    const std::vector<GeneratedFile>& files) {
    const auto slash = dir.rfind('/');
    const std::string parent = slash == std::string::npos ? "." : slash == 0 ? "/" : dir.substr(0, slash);
    const std::string leaf = slash == std::string::npos ? dir : dir.substr(slash + 1);
    UniqueFd parentfd(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!parentfd)
        return Error{ExitCode::no_input, fmt::format("cannot read '{}': {}", parent, errno_text(errno))};
    struct stat st {};
    if (::fstatat(parentfd.get(), leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode)) {
        return Error{ExitCode::no_input, fmt::format("'{}' is not a folder", dir)};
    }
    bool extra = false;
    const auto existing = read_existing(parentfd.get(), leaf, &extra);
    if (!existing)
        return Error{ExitCode::data_error, fmt::format("'{}' is not a skill folder made by compile", dir)};
    std::vector<std::string> lines;
    for (const auto& f : files) {
        const auto it = existing->find(f.path);
        if (it == existing->end()) {
            lines.push_back(f.path + ": missing");
        } else if (it->second.content != f.content) {
            lines.push_back(f.path + ": content differs");
        } else if (it->second.mode != f.mode) {
            lines.push_back(fmt::format("{}: mode {:04o}, expected {:04o}", f.path, it->second.mode, f.mode));
        }
    }
    for (const auto& entry : *existing) {
        const std::string& path = entry.first;  // a named reference: clang 14 cannot capture a binding
        const bool generated =
            std::any_of(files.begin(), files.end(), [&](const auto& f) { return f.path == path; });
        if (!generated) lines.push_back(path + ": not made by compile");
    }
    if (extra) lines.push_back("(links, special files or deeper folders): not made by compile");
    return lines;
}

Result<std::vector<GeneratedFile>> read_skill_files(const std::string& dir) {
    const auto slash = dir.rfind('/');
    const std::string parent = slash == std::string::npos ? "." : slash == 0 ? "/" : dir.substr(0, slash);
    UniqueFd parentfd(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    bool extra = false;
    const auto existing =
        parentfd ? read_existing(parentfd.get(), dir.substr(slash + 1), &extra) : std::nullopt;
    if (!existing)
        return Error{ExitCode::data_error, fmt::format("'{}' is not a skill folder made by compile", dir)};
    std::vector<GeneratedFile> files;
    for (const auto& [path, file] : *existing) files.push_back({path, file.content, file.mode});
    return files;
}

Result<StagedFolder> stage_skill_folder(const std::string& out_dir, const std::string& name,
                                        const std::vector<GeneratedFile>& files, bool force) {
    StagedFolder staged{out_dir, name, {}, false, false, WriteResult{out_dir + "/" + name, false}};
    const std::string display = out_dir + "/" + name;
    struct stat st {};
    if (::lstat(out_dir.c_str(), &st) != 0) {
        if (errno != ENOENT)
            return Error{ExitCode::cant_create,
                         fmt::format("cannot use '{}': {}", out_dir, errno_text(errno))};
        if (auto s = make_directories(out_dir); !s) return s.error();
    } else if (S_ISLNK(st.st_mode) && !force) {
        return Error{ExitCode::cant_create,
                     fmt::format("'{}' is a symbolic link; compile does not follow links out of "
                                 "--out (use --force to write through it)",
                                 out_dir)};
    }
    UniqueFd outfd(::open(out_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | (force ? 0 : O_NOFOLLOW)));
    if (!outfd) {
        return Error{ExitCode::cant_create,
                     fmt::format("cannot use '{}' as the output folder: {}", out_dir,
                                 errno == ENOTDIR ? "it is not a folder" : errno_text(errno))};
    }
    remove_stale_temporaries(outfd.get(), name);

    std::map<std::string, ExistingFile> existing;
    bool exists = false, extra = false;
    if (::fstatat(outfd.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
        exists = true;
        if (S_ISLNK(st.st_mode) && !force) {
            return Error{ExitCode::cant_create,
                         fmt::format("'{}' is a symbolic link; compile never writes through links "
                                     "(use --force to replace the link itself)",
                                     display)};
        }
        if (!S_ISDIR(st.st_mode) && !force) {
            return Error{ExitCode::cant_create,
                         fmt::format("'{}' exists and is not a folder (use --force to replace it)", display)};
        }
        if (S_ISDIR(st.st_mode)) {
            const auto found = read_existing(outfd.get(), name, &extra);
            if (!found && !force) {
                return Error{ExitCode::cant_create,
                             fmt::format("'{}' exists and was not made by compile; not "
                                         "overwriting it (use --force to replace it)",
                                         display)};
            }
            if (found) existing = *found;
            if (found && unchanged(files, existing, extra)) return staged;
        }
    }

    staged.tmp = fmt::format(".{}.tmp-{}-{}", name, ::getpid(), random_suffix());
    if (auto s = write_new_folder(outfd.get(), staged.tmp, files, existing, display); !s) {
        remove_tree(outfd.get(), staged.tmp);
        return s.error();
    }
    staged.replace = exists;
    staged.keep_state = exists && S_ISDIR(st.st_mode);
    staged.result.changed = true;
    return staged;
}

void prepare_parallel_staging() {
    process_umask();
}

Status sync_output(const std::string& out_dir) {
    UniqueFd fd(::open(out_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return io_error("open", out_dir, errno);
    if (::syncfs(fd.get()) != 0) return io_error("sync", out_dir, errno);
    return ok();
}

void discard_staged(const StagedFolder& staged) {
    if (staged.tmp.empty()) return;
    UniqueFd outfd(::open(staged.out_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (outfd) remove_tree(outfd.get(), staged.tmp);
}

Result<WriteResult> commit_skill_folder(const StagedFolder& staged) {
    if (!staged.result.changed) return staged.result;
    const std::string &out_dir = staged.out_dir, &name = staged.name, &tmp = staged.tmp,
                      &display = staged.result.path;
    UniqueFd outfd(::open(out_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!outfd) return io_error("open", out_dir, errno);
    if (!staged.replace) {
        if (::renameat(outfd.get(), tmp.c_str(), outfd.get(), name.c_str()) != 0) {
            const int err = errno;
            remove_tree(outfd.get(), tmp);
            return io_error("create", display, err);
        }
    } else {
        // Run records survive a recompilation: the state folder moves into the new tree first.
        const std::string state_from = name + "/" + std::string(kStateDir),
                          state_to = tmp + "/" + std::string(kStateDir);
        const bool moved_state = staged.keep_state && ::renameat(outfd.get(), state_from.c_str(), outfd.get(),
                                                                 state_to.c_str()) == 0;
        if (rename_exchange(outfd.get(), tmp.c_str(), name.c_str()) != 0) {
            // No RENAME_EXCHANGE on this file system: two renames, with a moment where the folder is absent.
            const std::string old = fmt::format(".{}.old-{}-{}", name, ::getpid(), random_suffix());
            if (::renameat(outfd.get(), name.c_str(), outfd.get(), old.c_str()) != 0 ||
                ::renameat(outfd.get(), tmp.c_str(), outfd.get(), name.c_str()) != 0) {
                const int err = errno;
                ::renameat(outfd.get(), old.c_str(), outfd.get(), name.c_str());
                if (moved_state) ::renameat(outfd.get(), state_to.c_str(), outfd.get(), state_from.c_str());
                remove_tree(outfd.get(), tmp);
                return io_error("replace", display, err);
            }
            remove_tree(outfd.get(), old);
        } else {
            remove_tree(outfd.get(), tmp);  // now holds the previous folder
        }
    }
    return staged.result;
}

Result<WriteResult> write_skill_folder(const std::string& out_dir, const std::string& name,
                                       const std::vector<GeneratedFile>& files, bool force) {
    auto staged = stage_skill_folder(out_dir, name, files, force);
    if (!staged) return staged.error();
    if (!staged->result.changed) return staged->result;
    if (auto s = sync_output(out_dir); !s) {
        discard_staged(*staged);
        return s.error();
    }
    auto written = commit_skill_folder(*staged);
    if (!written) return written;
    if (auto s = sync_output(out_dir); !s) return s.error();
    return written;
}

}  // namespace df::compiler
