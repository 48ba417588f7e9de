// `monitor --check`: one verdict and one line for cron and monitoring systems.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"
#include "monitor/model.h"

namespace df::monitor {

struct CheckProblem {
    std::string app;     // "df-x"
    std::string reason;  // "exited:unhealthy", "missing in Coolify", ...
};

struct CheckResult {
    ExitCode code = ExitCode::ok;  // ok, failed, or the error's code
    std::string summary;           // the one line (no newline)
    int total = 0;                 // skills considered
    int healthy = 0;
    std::vector<CheckProblem> problems;
};

// ok when every app passes is_ok(); failed (1) when any registered skill is missing in Coolify or any
// df-* app is not healthy. Apps the registry does not know count like the others.
CheckResult evaluate_check(const Listing& listing);

// The verdict when the listing could not be made: Coolify unreachable (69), credentials refused (77),
// configuration missing (78), or whatever code the error carries.
CheckResult check_from_error(const Error& error);

// {"status", "exit_code", "summary", "total", "healthy", "problems": [{"app", "reason"}]}
std::string check_json(const CheckResult& result);

}  // namespace df::monitor
