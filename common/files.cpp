#include "common/files.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace df {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = other.release();
    }
    return *this;
}

UniqueFd::~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
}

int UniqueFd::release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
}

Status UniqueFd::close(std::string_view what) {
    const int fd = release();
    if (fd >= 0 && ::close(fd) != 0 && errno != EINTR) {
        return Error{ExitCode::io_error, fmt::format("cannot close '{}': {}", what, errno_text(errno))};
    }
    return ok();
}

std::string errno_text(int errnum) {
    return std::strerror(errnum);
}

Result<std::string> read_stream(std::FILE* stream, std::size_t max_bytes, std::string_view name) {
    std::string data;
    char buffer[65536];
    while (true) {
        const std::size_t n = std::fread(buffer, 1, sizeof buffer, stream);
        data.append(buffer, n);
        if (data.size() > max_bytes) {
            return Error{ExitCode::data_error,
                         fmt::format("'{}' exceeds the input size limit of {} bytes", name, max_bytes)};
        }
        if (n < sizeof buffer) break;
    }
    if (std::ferror(stream)) {
        return Error{ExitCode::no_input, fmt::format("cannot read '{}': {}", name, errno_text(errno))};
    }
    return data;
}

Result<std::string> read_file(const std::string& path, std::size_t max_bytes) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return Error{ExitCode::no_input, fmt::format("cannot read '{}': {}", path, errno_text(errno))};
    struct stat st {};
    if (::fstat(fd.get(), &st) == 0 && S_ISDIR(st.st_mode)) {
        return Error{ExitCode::no_input, fmt::format("cannot read '{}': it is a directory", path)};
    }
    std::string data;
    char buffer[65536];
    while (true) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            return Error{ExitCode::no_input, fmt::format("cannot read '{}': {}", path, errno_text(errno))};
        }
        if (n == 0) break;
        data.append(buffer, static_cast<std::size_t>(n));
        if (data.size() > max_bytes) {
            return Error{ExitCode::data_error,
                         fmt::format("'{}' exceeds the input size limit of {} bytes", path, max_bytes)};
        }
    }
    return data;
}

Status write_all(int fd, std::string_view data, std::string_view what) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return Error{ExitCode::io_error, fmt::format("cannot write '{}': {}", what, errno_text(errno))};
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return ok();
}

Status fsync_fd(int fd, std::string_view what) {
    if (::fsync(fd) != 0) {
        return Error{ExitCode::io_error, fmt::format("cannot sync '{}': {}", what, errno_text(errno))};
    }
    return ok();
}

Status fsync_directory(const std::string& dir) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return Error{ExitCode::io_error, fmt::format("cannot open '{}': {}", dir, errno_text(errno))};
    return fsync_fd(fd.get(), dir);
}

std::string random_suffix() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    return fmt::format("{:012x}", rng() & 0xFFFFFFFFFFFFULL);
}

Status write_file_atomic(const std::string& path, std::string_view content, mode_t mode) {
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
    const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
    const std::string tmp = fmt::format("{}/.{}.tmp-{}-{}", dir, base, ::getpid(), random_suffix());

    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode));
    if (!fd) return Error{ExitCode::io_error, fmt::format("cannot create '{}': {}", tmp, errno_text(errno))};
    auto fail = [&](Error e) {
        ::unlink(tmp.c_str());
        return e;
    };
    if (::fchmod(fd.get(), mode) != 0) {  // the umask must not loosen or tighten what the caller asked for
        return fail(Error{ExitCode::io_error, fmt::format("cannot chmod '{}': {}", tmp, errno_text(errno))});
    }
    if (auto s = write_all(fd.get(), content, path); !s) return fail(s.error());
    if (auto s = fsync_fd(fd.get(), path); !s) return fail(s.error());
    if (auto s = fd.close(path); !s) return fail(s.error());
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        return fail(
            Error{ExitCode::io_error, fmt::format("cannot replace '{}': {}", path, errno_text(errno))});
    }
    return fsync_directory(dir);
}

}  // namespace df
