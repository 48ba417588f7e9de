// monitor: what is deployed on Coolify and is it well. Parses flags, turns SIGINT/SIGTERM into a flag the
// --watch and --follow loops check, and hands over to the df_monitor library.
#include <atomic>
#include <csignal>
#include <iostream>
#include <unistd.h>

#include "monitor/monitor.h"

namespace {

std::atomic<bool> g_cancel{false};
volatile std::sig_atomic_t g_signal = 0;  // the first signal, for the exit code (130 or 143)

extern "C" void on_signal(int sig) {
    if (!g_signal) g_signal = sig;
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
    const auto code = df::monitor::run_monitor(*options, world, std::cout, std::cerr);
    // 128 + the signal, as shells and supervisors expect: SIGINT 130, SIGTERM 143 (docs/exit-codes.md).
    if (code == df::ExitCode::interrupted && g_signal) return 128 + g_signal;
    return static_cast<int>(code);
}
