// File helpers that keep their promises: bounded reads, complete writes, and atomic replacement
// (temp file in the same directory, fsync, rename, fsync of the directory).
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>
#include <sys/types.h>

#include "common/error.h"

namespace df {

// Owns a file descriptor; closes it on destruction.
class UniqueFd {
  public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept;
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd();

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    int release();
    // Closes now and reports a failed close (which can signal a lost write on some file systems).
    Status close(std::string_view what);

  private:
    int fd_ = -1;
};

// strerror(errnum) as a std::string.
std::string errno_text(int errnum);

// Reads a whole file. Missing or unreadable → ExitCode::no_input; larger than `max_bytes` →
// ExitCode::data_error naming the limit.
Result<std::string> read_file(const std::string& path, std::size_t max_bytes);

// Reads a whole stream (stdin) with the same limit; `name` is used in messages.
Result<std::string> read_stream(std::FILE* stream, std::size_t max_bytes, std::string_view name);

// Writes all of `data`, retrying short writes and EINTR. `what` names the file in errors
// (ExitCode::io_error).
Status write_all(int fd, std::string_view data, std::string_view what);

// fsync(2) a file or directory. A failure is reported, never retried.
Status fsync_fd(int fd, std::string_view what);
Status fsync_directory(const std::string& dir);

// Replaces `path` with `content` atomically: readers see the old or the new file, never a mix, and a crash
// leaves at most a `.<name>.tmp-*` file behind. The new file gets `mode`.
Status write_file_atomic(const std::string& path, std::string_view content, mode_t mode = 0644);

// A short random hex string for temporary names (not for secrets).
std::string random_suffix();

}  // namespace df
