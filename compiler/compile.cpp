#include "compiler/compile.h"

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <iterator>
#include <map>

#include <fmt/format.h>

#include "common/files.h"
#include "common/text.h"
#include "compiler/generator.h"
#include "compiler/output.h"
#include "compiler/parser.h"
#include "compiler/report.h"

namespace df::compiler {
namespace {

// Absolute, lexically normalised path ("a/./b/../c" → "/cwd/a/c").
std::vector<std::string> absolute_parts(const std::string& path) {
    std::string full = path;
    if (full.empty() || full[0] != '/') {
        char cwd[4096];
        full = std::string(::getcwd(cwd, sizeof cwd) ? cwd : ".") + "/" + path;
    }
    std::vector<std::string> parts;
    for (auto part : split(full, '/')) {
        if (part.empty() || part == ".") continue;
        if (part == "..") {
            if (!parts.empty()) parts.pop_back();
        } else {
            parts.emplace_back(part);
        }
    }
    return parts;
}

// The workflow's path as seen from the skill folder, so deploy finds it wherever it is run from.
std::string relative_source(const std::string& source, const std::string& skill_dir) {
    const auto from = absolute_parts(skill_dir), to = absolute_parts(source);
    std::size_t common = 0;
    while (common < from.size() && common < to.size() && from[common] == to[common]) ++common;
    std::string out;
    for (std::size_t i = common; i < from.size(); ++i) out += "../";
    for (std::size_t i = common; i < to.size(); ++i) out += to[i] + (i + 1 < to.size() ? "/" : "");
    return out;
}

// Worse outcomes win when several files fail differently.
int severity(ExitCode code) {
    switch (code) {
        case ExitCode::ok: return 0;
        case ExitCode::failed: return 1;
        case ExitCode::no_input: return 2;
        case ExitCode::cant_create: return 3;
        default: return 4;
    }
}

struct Compiler {
    const CompileOptions& options;
    std::istream& in;
    std::ostream& out;
    std::ostream& err;
    std::vector<FileReport> reports;
    std::map<std::string, std::string> names;  // skill name → the input that produced it
    ExitCode worst = ExitCode::ok;

    void note(ExitCode code) {
        if (severity(code) > severity(worst)) worst = code;
    }

    void fail(const Error& e) {
        err << fmt::format("compile: error: {}\n", e.message);
        note(e.code);
    }

    // --check and --graph read and report, and write no folder.
    bool writes() const { return !options.check && !options.graph; }

    void print_graph(const Workflow& workflow, FileReport& report) {
        const Graph graph = build_graph(workflow);
        if (*options.graph == GraphFormat::mermaid) {
            out << to_mermaid(graph) << std::flush;
        } else if (*options.graph == GraphFormat::dot) {
            out << to_dot(graph) << std::flush;
        } else if (const auto svg = dot_to_svg(to_dot(graph)); svg) {
            out << *svg << std::flush;
        } else {
            fail(svg.error());
        }
        reports.push_back(std::move(report));
    }

    void print_diagnostics(const SourceFile& source, const Diagnostics& diags) {
        if (options.json) return;
        for (const auto& d : diags.all()) err << format_diagnostic(d, source, options.color);
    }

    void compile_one(const std::string& input) {
        const bool from_stdin = input == "-";
        std::string name = from_stdin ? "<stdin>" : input;
        Result<std::string> raw = std::string();
        if (from_stdin) {
            std::string data;
            char buffer[65536];
            while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
                data.append(buffer, static_cast<std::size_t>(in.gcount()));
                if (data.size() > kMaxSourceBytes) break;
            }
            raw = data;
        } else {
            raw = read_file(input, kMaxSourceBytes + 1);
        }
        if (!raw) {
            // Over the size limit is a diagnostic about the file; unreadable is an error of its own.
            if (raw.error().code != ExitCode::data_error) return fail(raw.error());
        }
        Diagnostics diags;
        const SourceFile source(name, raw ? *raw : std::string(kMaxSourceBytes + 1, ' '), diags);
        FileReport report;
        report.source = name;
        Workflow workflow;
        if (source.usable()) workflow = parse_workflow(source, diags);
        if (options.strict) diags.promote_warnings();

        std::vector<GeneratedFile> files;
        Manifest manifest;
        if (!diags.has_errors()) {
            const auto seen = names.emplace(workflow.name, name);
            if (!seen.second) {
                diags.error({}, fmt::format("compiles to the skill name '{}', like '{}' in this same run",
                                            workflow.name, seen.first->second));
            }
        }
        if (!diags.has_errors()) {
            manifest.source_sha256 = sha256_hex(*raw);
            manifest.version = manifest.source_sha256.substr(0, 12);
            manifest.compiler_version = DF_VERSION;
            manifest.source_path = from_stdin ? "" : relative_source(input, options.out_dir + "/" + workflow.name);
            manifest.workflow = std::move(workflow);
            files = generate_skill(manifest, diags, writes() ? Generate::files : Generate::diagnostics);
            if (options.strict) diags.promote_warnings();
        }
        print_diagnostics(source, diags);
        report.diagnostics = diags.all();
        if (diags.has_errors()) {
            if (!options.json) {
                err << fmt::format("compile: {}: {} error{}, {} warning{}; nothing written\n", name,
                                   diags.count(Severity::error), diags.count(Severity::error) == 1 ? "" : "s",
                                   diags.count(Severity::warning), diags.count(Severity::warning) == 1 ? "" : "s");
            }
            note(ExitCode::failed);
            reports.push_back(std::move(report));
            return;
        }
        if (!options.quiet && !options.json) err << guardrail_report(source, manifest.workflow);
        if (options.json) report.manifest = manifest;  // only the JSON report shows it: 1,000 copies add up
        if (options.graph) return print_graph(manifest.workflow, report);
        if (writes()) {
            const auto written = write_skill_folder(options.out_dir, manifest.workflow.name, files, options.force);
            if (!written) {
                fail(written.error());
            } else {
                report.output = written->path;
                report.changed = written->changed;
                if (!options.json) out << written->path << '\n' << std::flush;
            }
        }
        reports.push_back(std::move(report));
    }
};

}  // namespace

ExitCode run_compile(const CompileOptions& options, std::istream& stdin_stream, std::ostream& out,
                     std::ostream& err) {
    if (options.inputs.empty()) {
        err << "compile: error: no workflow given; usage: compile [options] WORKFLOW.md... (see compile --help)\n";
        return ExitCode::usage;
    }
    if (std::count(options.inputs.begin(), options.inputs.end(), "-") > 1) {
        err << "compile: error: '-' (standard input) can be given only once\n";
        return ExitCode::usage;
    }
    if (options.graph && options.inputs.size() != 1) {
        err << "compile: error: --graph draws one workflow; give exactly one WORKFLOW.md\n";
        return ExitCode::usage;
    }
    if (options.graph && options.json) {
        err << "compile: error: --graph and --json both print on stdout; give one of them\n";
        return ExitCode::usage;
    }
    Compiler compiler{options, stdin_stream, out, err, {}, {}, ExitCode::ok};
    for (const auto& input : options.inputs) compiler.compile_one(input);
    if (options.json) out << json_report(compiler.reports) << std::flush;
    return compiler.worst;
}

}  // namespace df::compiler
