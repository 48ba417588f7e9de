// Errors as values, and the one exit-code table shared by compile, deploy, monitor and the generated `run`.
//
// Low-level code returns `Result<T>`; the program's main() reports the error once, in one voice
// (`program: error: message`), and exits with `error.code`. docs/exit-codes.md is the user-facing copy of
// the table below; tests/unit/error_test.cpp keeps the two in step.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace df {

enum class ExitCode : int {
    ok = 0,                 // success
    failed = 1,             // ran, and the result is bad: invalid workflow, failed deployment, unhealthy app
    needs_attention = 2,    // failed and the undo failed too: a human must look
    rejected = 3,           // refused by a guardrail: rate limit, concurrency, approval denied
    awaiting_approval = 4,  // a run is paused until someone approves it
    timed_out = 5,          // a timeout guardrail or deadline ended the job
    usage = 64,             // bad flags or arguments
    data_error = 65,        // input data is malformed: corrupt registry, bad manifest, bad run inputs
    no_input = 66,          // an input file or folder is missing or unreadable
    unavailable = 69,       // a remote (Coolify, git, the Gateway) cannot be reached, even after retries
    cant_create = 73,       // an output cannot be created (exists and is not ours, is a symlink, ...)
    io_error = 74,          // local I/O failed: write, fsync, rename, disk full
    temp_fail = 75,         // try again later: a lock is held by another process
    protocol = 76,          // the remote broke its contract: bad JSON, unexpected redirect, TLS failure
    no_permission = 77,     // the remote refused our credentials (HTTP 401/403)
    config = 78,            // configuration is missing or invalid
    interrupted = 130,      // SIGINT; 143 for SIGTERM is reported as 128 + signal number
};

// Stable identifier of an exit code (`failed`, `usage`, ...) for --json output and docs.
std::string_view exit_code_name(ExitCode code);

struct Error {
    ExitCode code = ExitCode::failed;
    std::string message;
};

// The one voice of every program: `<program>: error: <message>`, where <program> is the name it was invoked
// as (argv[0] without its folder), so an installed copy says `df-compile: error:` and ./bin/compile, which
// execs it under the name `compile`, says `compile: error:`. main() sets it first thing.
void set_program_name(std::string_view argv0);
const std::string& program_name();
// `<program>: error: <message>\n` on `err`; returns the error's exit code for `return report(err, e);`.
ExitCode report(std::ostream& err, const Error& e);
// `<program>: <kind>: <text>\n`, for the notes and warnings that are not errors.
void report_note(std::ostream& err, std::string_view kind, std::string_view text);

// A value or an Error. Deliberately tiny: `if (!r) return r.error();` and `*r` cover every use.
template <class T>
class [[nodiscard]] Result {
  public:
    Result(T value) : v_(std::move(value)) {}
    Result(Error error) : v_(std::move(error)) {}

    explicit operator bool() const { return v_.index() == 0; }
    T& operator*() { return std::get<0>(v_); }
    const T& operator*() const { return std::get<0>(v_); }
    T* operator->() { return &std::get<0>(v_); }
    const T* operator->() const { return &std::get<0>(v_); }
    const Error& error() const { return std::get<1>(v_); }

  private:
    std::variant<T, Error> v_;
};

struct Unit {};
using Status = Result<Unit>;
inline Status ok() {
    return Unit{};
}

}  // namespace df
