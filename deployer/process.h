// Runs a program without a shell (fork/exec of an argv), with a timeout, captured output and an
// environment we control. Used for git by deploy and by the Coolify stand-in's "builds".
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"

namespace df {

struct ProcessSpec {
    std::vector<std::string> argv;  // argv[0] is looked up on PATH
    std::string cwd;                // empty: inherit
    std::vector<std::pair<std::string, std::string>>
        env;                 // added to (or replacing in) the inherited environment
    std::string stdin_data;  // written to the child's stdin, then closed
    std::chrono::milliseconds timeout{120'000};
    const std::atomic<bool>* cancel = nullptr;  // raised → the child's process group is killed
    std::size_t max_output = 16u << 20;         // per stream; the rest is dropped
};

struct ProcessResult {
    int exit_code = -1;  // the child's exit status, or 128+signal when killed by one
    std::string out, err;
    bool timed_out = false;
    bool cancelled = false;
};

// Starts and waits for the program. An Error only when it could not be started (ExitCode::unavailable for a
// missing program); a non-zero exit is a normal ProcessResult.
Result<ProcessResult> run_process(const ProcessSpec& spec);

// "git push origin …" for messages (arguments joined by spaces; not meant to be re-parsed).
std::string command_line(const std::vector<std::string>& argv);

}  // namespace df
