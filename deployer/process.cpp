#include "deployer/process.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "common/files.h"

extern char** environ;

namespace df {
namespace {

// Builds the child's environment before fork: after fork only async-signal-safe calls are allowed.
std::vector<std::string> child_environment(const ProcessSpec& spec) {
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
        const std::string entry(*e);
        const std::string key = entry.substr(0, entry.find('='));
        bool replaced = false;
        for (const auto& [k, v] : spec.env) replaced = replaced || k == key;
        if (!replaced) env.push_back(entry);
    }
    for (const auto& [k, v] : spec.env) env.push_back(k + "=" + v);
    return env;
}

void kill_group(pid_t pid) {
    ::kill(-pid, SIGTERM);
    ::usleep(100'000);
    ::kill(-pid, SIGKILL);
}

}  // namespace

std::string command_line(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& a : argv) out += (out.empty() ? "" : " ") + a;
    return out;
}

// fork/exec with three pipes, a poll loop and the exec-failure pipe, in one function on purpose: every
// file descriptor is opened, handed over and closed in sight of the others (a leak or a double close would
// hang git or lose its output); the parts have no meaning alone.
Result<ProcessResult> run_process(const ProcessSpec& spec) {
    if (spec.argv.empty()) return Error{ExitCode::usage, "no program to run"};
    int in_pipe[2], out_pipe[2], err_pipe[2], exec_pipe[2];
    if (::pipe2(in_pipe, O_CLOEXEC) || ::pipe2(out_pipe, O_CLOEXEC) || ::pipe2(err_pipe, O_CLOEXEC) ||
        ::pipe2(exec_pipe, O_CLOEXEC)) {
        return Error{ExitCode::io_error, fmt::format("cannot create pipes: {}", errno_text(errno))};
    }
    std::vector<std::string> env_strings = child_environment(spec);
    std::vector<char*> envp, argv;
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::vector<std::string> args = spec.argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    const pid_t pid = ::fork();
    if (pid < 0) return Error{ExitCode::io_error, fmt::format("cannot fork: {}", errno_text(errno))};
    if (pid == 0) {
        ::setpgid(0, 0);  // its own group, so a timeout kills git and its helpers (ssh, credential helpers)
        ::signal(SIGPIPE, SIG_DFL);
        ::signal(SIGINT, SIG_DFL);
        ::dup2(in_pipe[0], 0);
        ::dup2(out_pipe[1], 1);
        ::dup2(err_pipe[1], 2);
        if (!spec.cwd.empty() && ::chdir(spec.cwd.c_str()) != 0) {
            const int e = errno;
            (void)!::write(exec_pipe[1], &e, sizeof e);
            ::_exit(127);
        }
        ::execvpe(argv[0], argv.data(), envp.data());
        const int e = errno;
        (void)!::write(exec_pipe[1], &e, sizeof e);
        ::_exit(127);
    }
    ::setpgid(pid, pid);
    ::close(in_pipe[0]), ::close(out_pipe[1]), ::close(err_pipe[1]), ::close(exec_pipe[1]);
    UniqueFd in(in_pipe[1]), out(out_pipe[0]), err(err_pipe[0]), exec_status(exec_pipe[0]);

    int exec_errno = 0;
    if (::read(exec_status.get(), &exec_errno, sizeof exec_errno) == sizeof exec_errno) {
        ::waitpid(pid, nullptr, 0);
        const ExitCode code = exec_errno == ENOENT ? ExitCode::unavailable : ExitCode::io_error;
        return Error{code, fmt::format("cannot run '{}': {}", spec.argv[0], errno_text(exec_errno))};
    }

    ProcessResult result;
    std::string_view pending = spec.stdin_data;
    if (pending.empty()) (void)in.close("stdin");
    ::fcntl(in.get(), F_SETFL, O_NONBLOCK);
    const auto deadline = std::chrono::steady_clock::now() + spec.timeout;
    char buffer[65536];
    while (out || err) {
        std::vector<pollfd> fds;
        if (out) fds.push_back({out.get(), POLLIN, 0});
        if (err) fds.push_back({err.get(), POLLIN, 0});
        if (in) fds.push_back({in.get(), POLLOUT, 0});
        ::poll(fds.data(), fds.size(), 50);
        if (spec.cancel && spec.cancel->load()) result.cancelled = true;
        if (std::chrono::steady_clock::now() > deadline) result.timed_out = true;
        if (result.cancelled || result.timed_out) {
            kill_group(pid);
            break;
        }
        for (const auto& p : fds) {
            if (!p.revents) continue;
            if (in && p.fd == in.get()) {
                const ssize_t n = ::write(in.get(), pending.data(), pending.size());
                if (n > 0) pending.remove_prefix(static_cast<std::size_t>(n));
                if (n < 0 && errno != EAGAIN && errno != EINTR) pending = {};
                if (pending.empty()) (void)in.close("stdin");
                continue;
            }
            const bool is_out = out && p.fd == out.get();
            UniqueFd& fd = is_out ? out : err;
            std::string& sink = is_out ? result.out : result.err;
            const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
            if (n > 0) {
                if (sink.size() < spec.max_output) sink.append(buffer, static_cast<std::size_t>(n));
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                (void)fd.close("pipe");
            }
        }
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

}  // namespace df
