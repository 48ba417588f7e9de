#include "deployer/signals.h"

#include <csignal>
#include <signal.h>

namespace df::deployer {

namespace {

std::atomic<bool> g_cancel{false};
volatile std::sig_atomic_t g_signal = 0;  // the first signal, for the exit status (130 or 143)

extern "C" void on_signal(int sig) {
    if (!g_signal) g_signal = sig;
    g_cancel = true;
    ::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the program at once
    ::signal(SIGTERM, SIG_DFL);
}

}  // namespace

const std::atomic<bool>* cancel_on_signals() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    return &g_cancel;
}

int exit_status(ExitCode code) {
    if (code == ExitCode::interrupted && g_signal) return 128 + g_signal;
    return static_cast<int>(code);
}

}  // namespace df::deployer
