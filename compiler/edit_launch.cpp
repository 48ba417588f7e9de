#include "compiler/edit_launch.h"

#include <cerrno>
#include <climits>
#include <unistd.h>

#include <fmt/format.h>

#include "common/files.h"

namespace df::compiler {

ExitCode exec_builder(const std::string& dir, const char* argv0, std::ostream& err) {
    char self[PATH_MAX];
    const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        return df::report(err, Error{ExitCode::unavailable,
                                     fmt::format("cannot find this program: {}", errno_text(errno))});
    }
    std::string folder(self, static_cast<std::size_t>(n));
    folder.resize(folder.rfind('/'));
    const std::string candidates[] = {folder + "/df-compile-edit",
                                      folder + "/../libexec/dark-factory-engine/df-compile-edit"};
    for (const auto& program : candidates) {
        if (::access(program.c_str(), X_OK) != 0) continue;
        std::string name = argv0, option = "--edit", folder_arg = dir;
        char* const argv[] = {name.data(), option.data(), folder_arg.data(), nullptr};
        ::execv(program.c_str(), argv);
        return df::report(err, Error{ExitCode::unavailable,
                                     fmt::format("cannot start {}: {}", program, errno_text(errno))});
    }
    return df::report(err, Error{ExitCode::unavailable,
                                 fmt::format("--edit needs the builder program df-compile-edit next to {} "
                                             "(it is built and installed with compile)",
                                             folder)});
}

}  // namespace df::compiler
