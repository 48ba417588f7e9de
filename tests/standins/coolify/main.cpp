// coolify-standin: a Coolify v4 API stand-in for tests. See README.md beside this file.
#include <chrono>
#include <fstream>
#include <iostream>
#include <signal.h>
#include <thread>

#include <cxxopts.hpp>

#include "common/files.h"
#include "tests/standins/coolify/server.h"

// Long because of the option table (one line per stand-in option) and the options copied into State;
// nothing else happens here.
int main(int argc, char** argv) {
    ::signal(SIGPIPE, SIG_IGN);
    cxxopts::Options spec("coolify-standin", "A Coolify API stand-in for tests (127.0.0.1 only).");
    spec.add_options()("port", "Port to listen on (0: any free port)",
                       cxxopts::value<int>()->default_value("0"))(
        "port-file", "Write the port to this file once listening", cxxopts::value<std::string>())(
        "token", "The accepted Bearer token", cxxopts::value<std::string>()->default_value("standin-token"))(
        "version", "Coolify version to imitate", cxxopts::value<std::string>()->default_value("4.3.11"))(
        "ttl", "Exit after this many seconds", cxxopts::value<int>()->default_value("120"))(
        "build-seconds", "Simulated build time", cxxopts::value<double>()->default_value("0.2"))(
        "status-lag", "Seconds an app stays starting:unknown after a build",
        cxxopts::value<double>()->default_value("0"))("queue-delay",
                                                      "Seconds a queued deployment waits before it starts",
                                                      cxxopts::value<double>()->default_value("0"))(
        "repo", "URL=PATH: the local bare repository a git URL stands for",
        cxxopts::value<std::vector<std::string>>())(
        "log", "Append one JSON line per API request to this file", cxxopts::value<std::string>())(
        "no-sensitive", "Behave like a token without read:sensitive (no logs, no env values)")(
        "api-disabled", "Answer 403 API is disabled")("queue-limit", "Deployment queue limit",
                                                      cxxopts::value<int>()->default_value("25"))(
        "preload", "Start with N running df-bench-* apps", cxxopts::value<int>()->default_value("0"))(
        "h,help", "Show this help");
    standin::Options options;
    int port = 0, ttl = 120, preload = 0;
    std::string port_file;
    try {
        const auto args = spec.parse(argc, argv);
        if (args.count("help")) {
            std::cout << spec.help();
            return 0;
        }
        port = args["port"].as<int>();
        ttl = args["ttl"].as<int>();
        preload = args["preload"].as<int>();
        if (args.count("port-file")) port_file = args["port-file"].as<std::string>();
        options.token = args["token"].as<std::string>();
        options.version = args["version"].as<std::string>();
        options.build_seconds = args["build-seconds"].as<double>();
        options.status_lag_seconds = args["status-lag"].as<double>();
        options.queue_delay_seconds = args["queue-delay"].as<double>();
        options.queue_limit = args["queue-limit"].as<int>();
        options.sensitive = !args.count("no-sensitive");
        options.api_disabled = args.count("api-disabled") > 0;
        if (args.count("log")) options.log_file = args["log"].as<std::string>();
        if (args.count("repo")) {
            for (const auto& r : args["repo"].as<std::vector<std::string>>()) {
                const auto eq = r.find('=');
                if (eq == std::string::npos) throw cxxopts::exceptions::exception("--repo takes URL=PATH");
                options.repos[r.substr(0, eq)] = r.substr(eq + 1);
            }
        }
    } catch (const cxxopts::exceptions::exception& e) {
        std::cerr << "coolify-standin: error: " << e.what() << "\n";
        return 64;
    }
    if (!df::coolify::Version::parse(options.version)) {
        std::cerr << "coolify-standin: error: --version '" << options.version << "' is not a version\n";
        return 64;
    }
    standin::State state(options);
    standin::Server server(state);
    const int bound = server.bind(port);
    if (bound <= 0) {
        std::cerr << "coolify-standin: error: cannot listen on 127.0.0.1:" << port << "\n";
        return 69;
    }
    if (preload > 0) {
        std::lock_guard lock(state.mutex());
        standin::preload(state, preload, "df-bench-", "running:healthy");
    }
    std::cout << bound << std::endl;
    if (!port_file.empty()) {
        if (auto s = df::write_file_atomic(port_file, std::to_string(bound) + "\n"); !s) {
            std::cerr << "coolify-standin: error: " << s.error().message << "\n";
            return 74;
        }
    }
    std::thread([&server, ttl] {
        std::this_thread::sleep_for(std::chrono::seconds(ttl));
        std::cerr << "coolify-standin: ttl reached, exiting\n";
        server.stop();
    }).detach();
    server.listen();
    return 0;
}
