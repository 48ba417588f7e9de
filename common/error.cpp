#include "common/error.h"

namespace df {

std::string_view exit_code_name(ExitCode code) {
    switch (code) {
        case ExitCode::ok:
            return "ok";
        case ExitCode::failed:
            return "failed";
        case ExitCode::needs_attention:
            return "needs_attention";
        case ExitCode::rejected:
            return "rejected";
        case ExitCode::awaiting_approval:
            return "awaiting_approval";
        case ExitCode::timed_out:
            return "timed_out";
        case ExitCode::usage:
            return "usage";
        case ExitCode::data_error:
            return "data_error";
        case ExitCode::no_input:
            return "no_input";
        case ExitCode::unavailable:
            return "unavailable";
        case ExitCode::cant_create:
            return "cant_create";
        case ExitCode::io_error:
            return "io_error";
        case ExitCode::temp_fail:
            return "temp_fail";
        case ExitCode::protocol:
            return "protocol";
        case ExitCode::no_permission:
            return "no_permission";
        case ExitCode::config:
            return "config";
        case ExitCode::interrupted:
            return "interrupted";
    }
    return "unknown";
}

}  // namespace df
