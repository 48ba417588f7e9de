#include "compiler/compile.h"

#include <algorithm>
#include <deque>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <sstream>
#include <unistd.h>

#include <fmt/format.h>

#include "common/files.h"
#include "common/manifest.h"
#include "common/text.h"
#include "compiler/children.h"
#include "compiler/generator.h"
#include "compiler/output.h"
#include "compiler/parser.h"
#include "compiler/report.h"
#include "compiler/staging_pool.h"

namespace df::compiler {
namespace {

// flow.md → "flow": the folder name --name-from-file gives; empty when the file name makes no folder name.
std::string file_stem(const std::string& input) {
    std::string stem = input.substr(input.rfind('/') + 1);
    if (stem.size() > 3 && stem.ends_with(".md")) stem.resize(stem.size() - 3);
    const bool usable =
        !stem.empty() && stem[0] != '.' && stem.find_first_of("\\:$ \t\n") == std::string::npos;
    return usable ? stem : std::string();
}

// A path in a Makefile rule: spaces, '#', ':' and '\\' escaped with a backslash, '$' doubled.
std::string make_escaped(const std::string& path) {
    std::string out;
    for (char c : path) {
        if (c == '$') {
            out += '$';
        } else if (c == ' ' || c == '#' || c == ':' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out;
}

// Worse outcomes win when several files fail differently.
int severity(ExitCode code) {
    switch (code) {
        case ExitCode::ok:
            return 0;
        case ExitCode::failed:
            return 1;
        case ExitCode::no_input:
            return 2;
        case ExitCode::cant_create:
            return 3;
        default:
            return 4;
    }
}

// An input whose folder a worker is staging: what compile printed about it waits until the folder's
// result is in, so that stderr reads as if each folder had been written before the next input was read.
struct Pending {
    std::string printed;               // the input's stderr text so far
    std::optional<std::size_t> job;    // its StagingPool number; none: an input with no folder to write
    std::size_t report = 0;            // its index in reports
    std::string folder;                // out_dir/leaf, for --depfile
    std::vector<std::string> sources;  // the workflow and its children, for --depfile; empty for stdin
};

struct Compiler {
    Compiler(const CompileOptions& o, std::istream& i, std::ostream& os, std::ostream& es)
        : options(o),
          in(i),
          out(os),
          shown_err(es),
          children(o.out_dir, o.color),
          pool(std::make_unique<StagingPool>(writes() && !o.verify ? StagingPool::workers_for(o.inputs.size())
                                                                   : 0)) {}

    const CompileOptions& options;
    std::istream& in;
    std::ostream& out;
    std::ostream& shown_err;  // the real stderr; `err` holds the current input's text until it is its turn
    std::ostringstream err;
    std::vector<FileReport> reports;
    std::map<std::string, std::string> names;                  // skill name → the input that produced it
    std::vector<std::pair<std::size_t, StagedFolder>> staged;  // reports[index]'s folder, not yet swapped in
    // skill folder → the workflow it came from, and its child workflows
    std::vector<std::pair<std::string, std::vector<std::string>>> depends;
    ChildCompiler children;   // compiles each child workflow once, however many parents use it
    std::string verify_dir;   // the folder verify_one compares against
    std::string verify_home;  // the folder its source.path is relative to (compiled_home)
    ExitCode worst = ExitCode::ok;
    std::unique_ptr<StagingPool> pool;  // stages the folders, on worker threads in a batch
    std::deque<Pending> pending;        // inputs in order whose folder is being staged, or behind one that is

    void note(ExitCode code) {
        if (severity(code) > severity(worst)) worst = code;
    }

    void fail(const Error& e) {
        df::report(err, e);
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

    // One input through every stage, in order (read, parse, check, graph or generate, write, report), each
    // stage a call and its early exit. Longer than 80 lines because it is the stage list; the work is in
    // the functions it calls.
    void compile_one(const std::string& input) {
        const bool from_stdin = input == "-";
        std::string name = from_stdin ? options.stdin_name : input;
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
        Bundle bundle;
        if (!diags.has_errors()) bundle = children.bundle(workflow, name, diags);
        if (options.strict) diags.promote_warnings();

        std::vector<GeneratedFile> files;
        Manifest manifest;
        if (!diags.has_errors() && options.name_from_file && (from_stdin || file_stem(input).empty())) {
            diags.error({}, "--name-from-file: this file name makes no folder name (use NAME.md)");
        }
        const std::string leaf = options.name_from_file ? file_stem(input) : workflow.name;
        const std::string folder = options.verify ? verify_dir : options.out_dir + "/" + leaf;
        if (!diags.has_errors() && !options.verify) {
            const auto seen = names.emplace(folder, name);
            if (!seen.second && options.name_from_file) {
                diags.error({}, fmt::format("writes the folder '{}', like '{}' in this same run", folder,
                                            seen.first->second));
            } else if (!seen.second) {
                diags.error({}, fmt::format("compiles to the skill name '{}', like '{}' in this same run",
                                            workflow.name, seen.first->second));
            }
        }
        if (!diags.has_errors()) {
            manifest =
                manifest_for(*raw, std::move(workflow),
                             from_stdin ? "" : relative_source(input, options.verify ? verify_home : folder));
            files = generate_skill(manifest, diags, writes() ? Generate::files : Generate::diagnostics);
            if (writes()) files.push_back(run_state_gitignore());
            for (auto& f : bundle.files) files.push_back(std::move(f));
            if (options.strict) diags.promote_warnings();
        }
        print_diagnostics(source, diags);
        report.diagnostics = diags.all();
        if (diags.has_errors()) {
            // Also with --json: whoever reads only stderr (a log, a CI step) still sees that it failed.
            df::report(err,
                       Error{ExitCode::failed, fmt::format("{}: {} error{}, {} warning{}; nothing written",
                                                           name, diags.count(Severity::error),
                                                           diags.count(Severity::error) == 1 ? "" : "s",
                                                           diags.count(Severity::warning),
                                                           diags.count(Severity::warning) == 1 ? "" : "s")});
            note(ExitCode::failed);
            reports.push_back(std::move(report));
            return;
        }
        if (options.verify) {
            compare(folder, files);
            reports.push_back(std::move(report));
            return;
        }
        if (!options.quiet && !options.json) err << guardrail_report(source, manifest.workflow);
        if (options.json) report.manifest = manifest;  // only the JSON report shows it: 1,000 copies add up
        if (options.graph) return print_graph(manifest.workflow, report);
        if (writes()) {
            const std::size_t job = pool->submit({options.out_dir, leaf, std::move(files), options.force});
            bundle.sources.insert(bundle.sources.begin(), input);
            if (from_stdin) bundle.sources.clear();
            pending.push_back({take_printed(), job, reports.size(), folder, std::move(bundle.sources)});
        }
        reports.push_back(std::move(report));
    }

    std::string take_printed() {
        std::string text = err.str();
        err.str("");
        return text;
    }

    // Prints what the inputs so far have to say, in input order: an input's text once the folders before
    // it and its own are staged (all of them with `wait`), followed by its staging error if there is one.
    void settle(bool wait) {
        if (pending.empty()) {
            shown_err << take_printed() << std::flush;
            return;
        }
        // An input with no folder to write: its text waits behind the folders before it.
        if (!err.str().empty()) pending.push_back({take_printed(), std::nullopt, 0, {}, {}});
        while (!pending.empty()) {
            Pending& next = pending.front();
            if (next.job && !wait && !pool->done(*next.job)) break;
            shown_err << next.printed;
            if (next.job) record_staged(next);
            shown_err << take_printed() << std::flush;  // the staging error record_staged reported
            pending.pop_front();
        }
    }

    void record_staged(Pending& p) {
        auto result = pool->take(*p.job);
        if (!result) return fail(result.error());
        staged.emplace_back(p.report, std::move(*result));
        if (!p.sources.empty()) depends.emplace_back(std::move(p.folder), std::move(p.sources));
    }

    // --verify DIR: the workflow DIR was compiled from (its skill.json says), compiled again in memory. DIR
    // may be a child bundled in a parent (P/children/NAME): its source.path is relative to OUT/NAME.
    void verify_one(const std::string& dir) {
        const std::string manifest_path = dir + "/" + std::string(kManifestFile);
        const auto text = read_file(manifest_path, 16 * 1024 * 1024);
        if (!text) return fail(text.error());
        const auto manifest = read_manifest(*text, manifest_path);
        if (!manifest) return fail(manifest.error());
        if (manifest->source_path.empty()) {
            return fail(Error{ExitCode::data_error,
                              fmt::format("'{}' was compiled from standard input: there is no workflow to "
                                          "compile again",
                                          dir)});
        }
        verify_dir = dir;
        while (verify_dir.size() > 1 && verify_dir.back() == '/') verify_dir.pop_back();
        verify_home = compiled_home(verify_dir);
        // A bundled child's home may not exist (its workflow was named by file): `..` is taken lexically.
        compile_one(verify_home == verify_dir
                        ? (manifest->source_path[0] == '/' ? manifest->source_path
                                                           : dir + "/" + manifest->source_path)
                        : source_from(verify_home, manifest->source_path));
    }

    void compare(const std::string& dir, const std::vector<GeneratedFile>& files) {
        const auto differences = folder_differences(dir, files);
        if (!differences) return fail(differences.error());
        for (const auto& line : *differences) report_note(err, "differs", dir + "/" + line);
        if (!differences->empty()) {
            df::report(err,
                       Error{ExitCode::failed,
                             fmt::format("{} differs from a fresh compile of its workflow ({} file{}); "
                                         "compile it again",
                                         dir, differences->size(), differences->size() == 1 ? "" : "s")});
            note(ExitCode::failed);
        } else if (!options.json) {
            out << dir << '\n';
        }
    }

    // --depfile: one rule per skill folder, `DIR/skill.json: WORKFLOW.md`, as make and ninja read them.
    void write_depfile() {
        std::string rules;
        for (const auto& [folder, inputs] : depends) {
            rules += make_escaped(folder + "/" + std::string(kManifestFile)) + ":";
            for (const auto& input : inputs) rules += " " + make_escaped(input);
            rules += '\n';
        }
        if (auto s = write_file_atomic(options.depfile, rules); !s) fail(s.error());
    }

    // The second pass (output.h): one sync for every folder staged, the swaps, one sync for the swaps.
    void commit_all() {
        const bool any_changed =
            std::any_of(staged.begin(), staged.end(), [](const auto& s) { return s.second.result.changed; });
        if (any_changed) {
            if (auto s = sync_output(options.out_dir); !s) {
                for (const auto& s2 : staged) discard_staged(s2.second);
                staged.clear();
                return fail(s.error());
            }
        }
        for (const auto& [index, folder] : staged) {
            const auto written = commit_skill_folder(folder);
            if (!written) {
                discard_staged(folder);
                fail(written.error());
                continue;
            }
            reports[index].output = written->path;
            reports[index].changed = written->changed;
            if (!options.json) out << written->path << '\n';
        }
        out << std::flush;
        if (any_changed) {
            if (auto s = sync_output(options.out_dir); !s) fail(s.error());
        }
        settle(true);
    }
};

}  // namespace

ExitCode run_compile(const CompileOptions& options, std::istream& stdin_stream, std::ostream& out,
                     std::ostream& err) {
    if (options.inputs.empty()) {
        return df::report(
            err, Error{ExitCode::usage, fmt::format("no workflow given; usage: {0} [options] WORKFLOW.md... "
                                                    "(see {0} --help)",
                                                    program_name())});
    }
    if (std::count(options.inputs.begin(), options.inputs.end(), "-") > 1) {
        return df::report(err, Error{ExitCode::usage, "'-' (standard input) can be given only once"});
    }
    if (options.graph && options.inputs.size() != 1) {
        return df::report(err,
                          Error{ExitCode::usage, "--graph draws one workflow; give exactly one WORKFLOW.md"});
    }
    if (options.graph && (options.json || options.verify || !options.depfile.empty())) {
        return df::report(err, Error{ExitCode::usage,
                                     "--graph prints one graph: it goes with none of --json, "
                                     "--verify and --depfile"});
    }
    Compiler compiler(options, stdin_stream, out, err);
    for (const auto& input : options.inputs) {
        if (options.verify) {
            compiler.verify_one(input);
        } else {
            compiler.compile_one(input);
        }
        compiler.settle(false);
    }
    compiler.settle(true);
    compiler.commit_all();
    if (!options.depfile.empty()) compiler.write_depfile();
    compiler.settle(true);
    if (options.json) out << json_report(compiler.reports) << std::flush;
    return compiler.worst;
}

}  // namespace df::compiler
