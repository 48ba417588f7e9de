// compile: workflow.md → OpenClaw skill folder. Parses flags into CompileOptions and calls run_compile.
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include <cxxopts.hpp>
#include <fmt/format.h>

#include "compiler/compile.h"

int main(int argc, char** argv) {
    using df::ExitCode;
    cxxopts::Options spec("compile", "Compile Markdown workflows into OpenClaw skill folders.");
    spec.custom_help("[options]").positional_help("WORKFLOW.md...  ('-' reads standard input)");
    spec.add_options()
        ("o,out", "Folder that receives one sub-folder per workflow", cxxopts::value<std::string>()->default_value("output"), "DIR")
        ("check", "Validate only; write nothing")
        ("strict", "Treat warnings as errors")
        ("json", "Print a JSON report of the parsed workflows and diagnostics instead of folder paths")
        ("force", "Replace output that compile did not make; write through a symlinked --out")
        ("graph", "Print the workflow's graph (mermaid, dot or svg) instead of writing its folder", cxxopts::value<std::string>(), "FORMAT")
        ("q,quiet", "Do not print the guardrail report")
        ("color", "Colour diagnostics: auto, always or never", cxxopts::value<std::string>()->default_value("auto"), "WHEN")
        ("h,help", "Show this help")
        ("version", "Show the version")
        ("inputs", "Workflow files", cxxopts::value<std::vector<std::string>>());
    spec.parse_positional({"inputs"});
    df::compiler::CompileOptions options;
    try {
        const auto args = spec.parse(argc, argv);
        if (args.count("help")) {
            std::cout << spec.help() << "\nStdout lists the generated folders, one per line. Exit status: 0 ok, "
                                        "1 a workflow has errors, 64 usage, 66 unreadable input, 73 output not "
                                        "creatable, 74 I/O error (docs/exit-codes.md).\n";
            return 0;
        }
        if (args.count("version")) {
            std::cout << "compile (Dark Factory Engine) " << DF_VERSION << "\n";
            return 0;
        }
        if (args.count("inputs")) options.inputs = args["inputs"].as<std::vector<std::string>>();
        options.out_dir = args["out"].as<std::string>();
        options.check = args.count("check") > 0;
        options.strict = args.count("strict") > 0;
        options.json = args.count("json") > 0;
        options.force = args.count("force") > 0;
        options.quiet = args.count("quiet") > 0;
        if (args.count("graph")) {
            options.graph = df::compiler::parse_graph_format(args["graph"].as<std::string>());
            if (!options.graph) throw cxxopts::exceptions::exception("--graph takes mermaid, dot or svg");
        }
        const std::string color = args["color"].as<std::string>();
        if (color != "auto" && color != "always" && color != "never") {
            throw cxxopts::exceptions::exception("--color takes auto, always or never");
        }
        options.color = color == "always" || (color == "auto" && ::isatty(STDERR_FILENO) && !std::getenv("NO_COLOR"));
    } catch (const cxxopts::exceptions::exception& e) {
        std::cerr << fmt::format("compile: error: {} (see compile --help)\n", e.what());
        return static_cast<int>(ExitCode::usage);
    }
    return static_cast<int>(df::compiler::run_compile(options, std::cin, std::cout, std::cerr));
}
