// monitor: what is deployed on Coolify and is it well. Parses flags and hands over to the df_monitor library.
#include <iostream>

#include "monitor/options.h"

int main(int argc, char** argv) {
    auto options = df::monitor::parse_options(argc, argv);
    if (!options) {
        std::cerr << "monitor: error: " << options.error().message << "\n";
        return static_cast<int>(options.error().code);
    }
    if (options->help) std::cout << df::monitor::usage_text();
    return 0;
}
