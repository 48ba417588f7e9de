// compile: workflow.md → OpenClaw skill folder. Parses flags into CompileOptions and calls run_compile.
#include <cstdlib>
#include <iostream>
#include <unistd.h>

#include <cxxopts.hpp>
#include <fmt/format.h>

#include "compiler/compile.h"
#include "compiler/edit_launch.h"

int main(int argc, char** argv) {
    using df::ExitCode;
    df::set_program_name(argv[0]);
    cxxopts::Options spec(df::program_name(), "Compile Markdown workflows into OpenClaw skill folders.");
    spec.custom_help("[options]").positional_help("WORKFLOW.md...  ('-' reads standard input)");
    // clang-format off
    spec.add_options()
        ("o,out", "Folder that receives one sub-folder per workflow", cxxopts::value<std::string>()->default_value("output"), "DIR")
        ("check", "Validate only; write nothing")
        ("strict", "Treat warnings as errors")
        ("json", "Print a JSON report of the parsed workflows and diagnostics instead of folder paths")
        ("force", "Replace output that compile did not make; write through a symlinked --out")
        ("graph", "Print the workflow's graph (mermaid, dot or svg) instead of writing its folder", cxxopts::value<std::string>(), "FORMAT")
        ("name-from-file", "Name each folder after its workflow file (flow.md -> DIR/flow), not after the skill")
        ("depfile", "Also write a Makefile dependency file: DIR/NAME/skill.json: WORKFLOW.md", cxxopts::value<std::string>(), "FILE")
        ("edit", "Serve a local web builder (127.0.0.1, a token in the URL it prints) for the workflows under DIR, until Ctrl-C", cxxopts::value<std::string>(), "DIR")
        ("verify", "The arguments are skill folders: exit 1 when one differs from a fresh compile of its workflow, naming each file that differs; writes nothing")
        ("q,quiet", "Do not print the guardrail report")
        ("color", "Colour diagnostics: auto, always or never", cxxopts::value<std::string>()->default_value("auto"), "WHEN")
        ("h,help", "Show this help")
        ("version", "Show the version")
        ("inputs", "Workflow files", cxxopts::value<std::vector<std::string>>());
    // clang-format on
    spec.parse_positional({"inputs"});
    df::compiler::CompileOptions options;
    try {
        const auto args = spec.parse(argc, argv);
        if (args.count("help")) {
            std::cout << spec.help()
                      << "\nStdout lists the generated folders, one per line (with --verify, the "
                         "folders that match). Exit status: 0 ok, 1 a workflow has errors or "
                         "(--verify) a folder differs, 64 usage, 66 unreadable input, 73 output not "
                         "creatable, 74 I/O error (docs/exit-codes.md).\n";
            return 0;
        }
        if (args.count("version")) {
            std::cout << df::program_name() << " (Dark Factory Engine) " << DF_VERSION << "\n";
            return 0;
        }
        if (args.count("edit")) {
            if (args.count("inputs") || args.arguments().size() != 1) {
                throw cxxopts::exceptions::exception("--edit DIR takes no other option or workflow");
            }
            return static_cast<int>(
                df::compiler::exec_builder(args["edit"].as<std::string>(), argv[0], std::cerr));
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
        options.name_from_file = args.count("name-from-file") > 0;
        if (args.count("depfile")) options.depfile = args["depfile"].as<std::string>();
        options.verify = args.count("verify") > 0;
        if (options.verify && (options.check || !options.depfile.empty() || options.name_from_file)) {
            throw cxxopts::exceptions::exception(
                "--verify takes skill folders and excludes --check, --depfile and --name-from-file");
        }
        if (options.check && !options.depfile.empty()) {
            throw cxxopts::exceptions::exception("--check writes nothing, so no --depfile either");
        }
        const std::string color = args["color"].as<std::string>();
        if (color != "auto" && color != "always" && color != "never") {
            throw cxxopts::exceptions::exception("--color takes auto, always or never");
        }
        options.color =
            color == "always" || (color == "auto" && ::isatty(STDERR_FILENO) && !std::getenv("NO_COLOR"));
    } catch (const cxxopts::exceptions::exception& e) {
        const auto text = fmt::format("{} (see {} --help)", e.what(), df::program_name());
        return static_cast<int>(df::report(std::cerr, df::Error{ExitCode::usage, text}));
    }
    return static_cast<int>(df::compiler::run_compile(options, std::cin, std::cout, std::cerr));
}
