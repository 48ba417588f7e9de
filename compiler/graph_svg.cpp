// SVG through Graphviz's own `dot` program rather than libgvc in-process: only `--graph svg` pays for
// Graphviz, and every other compile keeps its few-millisecond start-up (docs/performance.md).
#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "compiler/graph.h"

extern char** environ;

namespace df::compiler {
namespace {

struct Pipes {
    std::array<int, 2> in{-1, -1}, out{-1, -1}, err{-1, -1};
    ~Pipes() {
        for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) {
            if (fd >= 0) ::close(fd);
        }
    }
    bool open() {
        return ::pipe2(in.data(), O_CLOEXEC) == 0 && ::pipe2(out.data(), O_CLOEXEC) == 0 &&
               ::pipe2(err.data(), O_CLOEXEC) == 0;
    }
};

void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

// Feeds `input` to the child's stdin while collecting its stdout and stderr, so neither side can block.
void exchange(Pipes& p, const std::string& input, std::string& out, std::string& err) {
    std::size_t written = 0;
    if (input.empty()) close_fd(p.in[1]);
    while (p.out[0] >= 0 || p.err[0] >= 0) {
        std::array<pollfd, 3> fds{{{p.in[1], POLLOUT, 0}, {p.out[0], POLLIN, 0}, {p.err[0], POLLIN, 0}}};
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        if (p.in[1] >= 0 && (fds[0].revents & (POLLOUT | POLLERR | POLLHUP))) {
            const ssize_t n = ::write(p.in[1], input.data() + written, input.size() - written);
            if (n > 0) written += static_cast<std::size_t>(n);
            if (n < 0 || written == input.size()) close_fd(p.in[1]);
        }
        char buffer[65536];
        for (auto [index, fd, sink] : {std::tuple{1, &p.out[0], &out}, std::tuple{2, &p.err[0], &err}}) {
            if (*fd < 0 || !(fds[index].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            const ssize_t n = ::read(*fd, buffer, sizeof buffer);
            if (n > 0) {
                sink->append(buffer, static_cast<std::size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                close_fd(*fd);
            }
        }
    }
}

}  // namespace

Result<std::string> dot_to_svg(const std::string& dot) {
    Pipes p;
    if (!p.open())
        return Error{ExitCode::io_error, fmt::format("cannot create a pipe: {}", std::strerror(errno))};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, p.in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, p.out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, p.err[1], STDERR_FILENO);
    char arg0[] = "dot", arg1[] = "-Tsvg";
    char* argv[] = {arg0, arg1, nullptr};
    pid_t pid = 0;
    const int spawned = ::posix_spawnp(&pid, "dot", &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        return Error{
            ExitCode::unavailable,
            "--graph svg needs Graphviz's dot on PATH (Debian package graphviz); --graph dot prints the "
            "graph without it"};
    }
    close_fd(p.in[0]);
    close_fd(p.out[1]);
    close_fd(p.err[1]);
    // A dot that exits early must not kill us with SIGPIPE while we still write its input.
    struct sigaction ignore {
    }, previous{};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGPIPE, &ignore, &previous);
    std::string out, err;
    exchange(p, dot, out, err);
    ::sigaction(SIGPIPE, &previous, nullptr);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        while (!err.empty() && err.back() == '\n') err.pop_back();
        return Error{ExitCode::failed,
                     fmt::format("Graphviz's dot failed: {}", err.empty() ? "no message" : err)};
    }
    return out;
}

}  // namespace df::compiler
