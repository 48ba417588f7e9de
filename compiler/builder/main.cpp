// df-compile-edit: the builder behind `compile --edit DIR`, a program of its own so that cpp-httplib and its
// threads stay out of every other compile's start-up. compile execs it with its own name as argv[0].
#include <iostream>
#include <string_view>

#include <fmt/format.h>

#include "compiler/builder/server.h"

int main(int argc, char** argv) {
    df::set_program_name(argv[0]);
    if (argc != 3 || std::string_view(argv[1]) != "--edit") {
        const auto text =
            fmt::format("usage: {} --edit DIR (see {} --help)", df::program_name(), df::program_name());
        return static_cast<int>(df::report(std::cerr, df::Error{df::ExitCode::usage, text}));
    }
    return static_cast<int>(df::compiler::builder::serve(argv[2], std::cout, std::cerr));
}
