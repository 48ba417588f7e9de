#include "compiler/builder/workspace.h"

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <spawn.h>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>

#include "common/files.h"
#include "common/text.h"
#include "compiler/builder/markdown_edit.h"
#include "compiler/builder/paths.h"
#include "compiler/compile.h"
#include "compiler/parser.h"
#include "compiler/source.h"

extern char** environ;

namespace df::compiler::builder {
namespace {

// A temporary folder removed when it goes out of scope.
class TempDir {
  public:
    TempDir() {
        const char* tmp = std::getenv("TMPDIR");
        std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/df-builder.XXXXXX";
        if (::mkdtemp(pattern.data())) path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

bool input_name(std::string_view name) {
    if (name.empty() || name.size() > 64 || name[0] < 'a' || name[0] > 'z') return false;
    for (const char c : name) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    }
    return true;
}

// Runs argv[0] with `dir` as its working directory, stdout and stderr into `log`; returns its exit status.
Result<int> spawn_into(const std::vector<std::string>& args, const std::string& dir, const std::string& log) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return Error{ExitCode::io_error, fmt::format("{}: {}", log, errno_text(errno))};
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, fd, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, fd, STDERR_FILENO);
    posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
    pid_t pid = 0;
    const int spawned = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fd);
    if (spawned != 0) {
        return Error{ExitCode::unavailable, fmt::format("cannot start {}: {}", args[0], errno_text(spawned))};
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

LineStyle line_style_of(std::string_view bytes) {
    std::size_t lf = 0, crlf = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (bytes[i] != '\n') continue;
        ++lf;
        if (i > 0 && bytes[i - 1] == '\r') ++crlf;
    }
    return LineStyle{crlf * 2 > lf, bytes.empty() || bytes.back() == '\n'};
}

std::string with_lf(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
        out += text[i];
    }
    return out;
}

std::string in_line_style(std::string_view text, LineStyle style) {
    std::string lf(text);
    if (style.final_newline) {
        if (!lf.empty() && lf.back() != '\n') lf += '\n';
    } else {
        while (!lf.empty() && lf.back() == '\n') lf.pop_back();
    }
    if (!style.crlf) return lf;
    std::string out;
    out.reserve(lf.size() + lf.size() / 32);
    for (const char c : lf) {
        if (c == '\n') out += '\r';
        out += c;
    }
    return out;
}

Result<Loaded> Workspace::load(std::string_view path) const {
    const auto place = folder_.place(path);
    if (!place) return place.error();
    const auto file = place->read(kMaxSourceBytes);
    if (!file) return file.error();
    if (!*file) return Error{ExitCode::no_input, fmt::format("'{}' does not exist", path)};
    const std::string& bytes = (*file)->bytes;
    return Loaded{with_lf(bytes), sha256_hex(bytes), line_style_of(bytes)};
}

Checked Workspace::check(std::string_view path, const std::string& text) const {
    CompileOptions options;
    options.inputs = {"-"};
    options.stdin_name = std::string(path);
    options.graph = GraphFormat::svg;
    std::istringstream in(text);
    std::ostringstream out, err;
    const std::lock_guard lock(compile_mutex_);
    const ExitCode code = run_compile(options, in, out, err);
    Checked checked{static_cast<int>(code), err.str(), code == ExitCode::ok ? out.str() : std::string(), {}};
    // The step ids, also while the workflow has errors (the edge form offers them; compile's report does
    // not list steps then).
    Diagnostics ignored;
    const SourceFile source(std::string(path), text, ignored);
    if (source.usable()) {
        for (const auto& step : parse_workflow(source, ignored).steps) checked.step_ids.push_back(step.id);
    }
    return checked;
}

Result<Loaded> Workspace::save(std::string_view path, const std::string& text, std::string_view base_sha256) {
    const auto place = folder_.place(path);
    if (!place) return place.error();
    const std::lock_guard lock(write_mutex_);
    const auto file = place->read(kMaxSourceBytes);
    if (!file) return file.error();
    const bool exists = file->has_value();
    if ((exists ? sha256_hex((*file)->bytes) : std::string()) != base_sha256) {
        return Error{ExitCode::temp_fail,
                     exists ? fmt::format("{} changed on disk since it was loaded; nothing saved (reload it, "
                                          "or copy your text first)",
                                          path)
                            : fmt::format("{} is gone from disk; nothing saved", path)};
    }
    // The new file keeps the old one's permissions (a private workflow stays private) and line style.
    const mode_t mode = exists ? (*file)->mode : 0644;
    const LineStyle style = exists ? line_style_of((*file)->bytes) : LineStyle{};
    const std::string lf = with_lf(text), bytes = in_line_style(lf, style);
    if (auto s = place->replace(bytes, mode, !exists); !s) return s.error();
    return Loaded{lf, sha256_hex(bytes), style};
}

Result<Loaded> Workspace::create(std::string_view path, std::string_view title,
                                 std::string_view description) {
    const auto text = new_workflow(title, description);
    if (!text) return text.error();
    const auto place = folder_.place(path);
    if (!place) return place.error();
    const auto file = place->read(kMaxSourceBytes);
    if (!file) return file.error();
    if (file->has_value()) {
        return Error{ExitCode::cant_create, fmt::format("{} exists already; open it from the list", path)};
    }
    return save(path, *text, "");
}

Result<DryRun> Workspace::dry_run(std::string_view path, const std::string& text,
                                  const std::map<std::string, std::string>& inputs) const {
    std::vector<std::string> args = {"", "--dry-run"};
    for (const auto& [name, value] : inputs) {
        if (!input_name(name)) return Error{ExitCode::usage, fmt::format("'{}' is not an input name", name)};
        if (value.find('\0') != std::string::npos)
            return Error{ExitCode::usage, "an input value holds a NUL"};
        args.push_back(fmt::format("--{}={}", name, value));
    }
    const TempDir tmp;
    if (tmp.path().empty())
        return Error{ExitCode::io_error, "cannot create a temporary folder for the dry run"};
    CompileOptions options;
    options.inputs = {"-"};
    options.stdin_name = std::string(path);
    options.out_dir = tmp.path() + "/out";
    options.quiet = true;
    std::istringstream in(text);
    std::ostringstream out, err;
    ExitCode code;
    {
        const std::lock_guard lock(compile_mutex_);
        code = run_compile(options, in, out, err);
    }
    if (code != ExitCode::ok) return DryRun{static_cast<int>(code), err.str()};
    std::string folder(trim(out.str()));
    args[0] = folder + "/run";
    const auto status = spawn_into(args, tmp.path(), tmp.path() + "/dry-run.log");
    if (!status) return status.error();
    const auto log = read_file(tmp.path() + "/dry-run.log", 4 * 1024 * 1024);
    if (!log) return log.error();
    return DryRun{*status, *log};
}

}  // namespace df::compiler::builder
