// monitor: what is deployed on Coolify and is it well. Parses flags, turns SIGINT/SIGTERM into a flag the
// --watch and --follow loops check, and hands over to the df_monitor library.
#include <atomic>
#include <csignal>
#include <iostream>
#include <unistd.h>

#include "monitor/monitor.h"

namespace {

std::atomic<bool> g_cancel{false};

extern "C" void on_signal(int) {
    g_cancel.store(true);
}

void install_signal_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
    df::set_program_name(argv[0]);
    auto options = df::monitor::parse_options(argc, argv);
    if (!options) return static_cast<int>(df::report(std::cerr, options.error()));
    if (options->help) {
        std::cout << df::monitor::usage_text();
        return 0;
    }
    if (options->version) {
        std::cout << df::program_name() << " (Dark Factory Engine) " << DF_VERSION << "\n";
        return 0;
    }
    install_signal_handlers();
    df::monitor::World world;
    world.cancel = &g_cancel;
    world.stdout_is_terminal = ::isatty(STDOUT_FILENO) == 1;
    return static_cast<int>(df::monitor::run_monitor(*options, world, std::cout, std::cerr));
}
