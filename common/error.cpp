#include "common/error.h"

#include <ostream>

namespace df {
namespace {

// Until main() says otherwise (the unit tests never do): the family's name, never an empty prefix.
std::string& program_name_storage() {
    static std::string name = "dark-factory";
    return name;
}

}  // namespace

void set_program_name(std::string_view argv0) {
    const auto slash = argv0.rfind('/');
    const auto base = slash == std::string_view::npos ? argv0 : argv0.substr(slash + 1);
    if (!base.empty()) program_name_storage() = std::string(base);
}

const std::string& program_name() {
    return program_name_storage();
}

ExitCode report(std::ostream& err, const Error& e) {
    err << program_name() << ": error: " << e.message << '\n';
    return e.code;
}

void report_note(std::ostream& err, std::string_view kind, std::string_view text) {
    err << program_name() << ": " << kind << ": " << text << '\n';
}

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
