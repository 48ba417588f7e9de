// deploy: compiled skill folders → running Coolify apps. Parses flags into DeployOptions, lets SIGINT and
// SIGTERM raise the cancel flag (the flows stop cleanly and record "interrupted") and calls run_deploy.
#include <csignal>
#include <iostream>

#include "deployer/cli.h"
#include "deployer/signals.h"

int main(int argc, char** argv) {
    ::signal(SIGPIPE, SIG_IGN);
    df::set_program_name(argv[0]);
    auto options = df::deployer::parse_options(argc, argv);
    if (!options) return static_cast<int>(df::report(std::cerr, options.error()));
    if (options->help) {
        std::cout << df::deployer::usage_text();
        return 0;
    }
    if (options->version) {
        std::cout << df::program_name() << " (Dark Factory Engine) " << DF_VERSION << "\n";
        return 0;
    }
    df::deployer::read_environment(*options);
    options->cancel = df::deployer::cancel_on_signals();
    return df::deployer::exit_status(df::deployer::run_deploy(*options, std::cout, std::cerr));
}
