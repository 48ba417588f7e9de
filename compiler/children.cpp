#include "compiler/children.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <dirent.h>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "common/files.h"
#include "common/text.h"
#include "compiler/output.h"
#include "compiler/parse_support.h"
#include "compiler/parser.h"
#include "compiler/source.h"

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

// The file's real path (links resolved), or its absolute path when it does not exist: the cache key, so a
// child reached by two spellings is compiled once and a cycle is seen whatever the spelling.
std::string canonical_path(const std::string& path) {
    char real[PATH_MAX];
    if (::realpath(path.c_str(), real)) return real;
    std::string out;
    for (const auto& p : absolute_parts(path)) out += "/" + p;
    return out.empty() ? "/" : out;
}

std::string directory_of(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

bool exists(const std::string& path, bool folder) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && (folder ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode));
}

// A skill name as `Uses:` may write it: a slug.
bool is_skill_name(std::string_view s) {
    return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

// The `$name` and `${name}` a With value reads, in order (a `$` before no name is kept as it is, at run
// time too: lib/children.sh substitutes by the same pattern).
std::vector<std::string> references(std::string_view value) {
    std::vector<std::string> names;
    auto name_char = [](char c, bool first) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
               (!first && c >= '0' && c <= '9');
    };
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] != '$') continue;
        const bool braced = i + 1 < value.size() && value[i + 1] == '{';
        std::size_t b = i + (braced ? 2 : 1), e = b;
        while (e < value.size() && name_char(value[e], e == b)) ++e;
        if (e == b || (braced && (e >= value.size() || value[e] != '}'))) continue;
        names.emplace_back(value.substr(b, e - b));
        i = e;
    }
    return names;
}

bool is_number(std::string_view s) {
    char* end = nullptr;
    const std::string text(s);
    std::strtod(text.c_str(), &end);
    return !text.empty() && end == text.c_str() + text.size() &&
           text.find_first_of("xXnN") == std::string::npos;
}

// Why the child's input refuses this literal value; empty when it takes it.
std::string literal_problem(const Input& in, const std::string& value) {
    if (in.secret) {
        return fmt::format(
            "child input '{}' is secret: its value must not be written in the workflow (it goes to "
            "git); pass a parent input instead (`{}=${}`)",
            in.name, in.name, in.name);
    }
    if (in.type == InputType::choice &&
        std::find(in.choices.begin(), in.choices.end(), value) == in.choices.end())
        return fmt::format("'{}' is not one of the choices of child input '{}' ({})", value, in.name,
                           fmt::join(in.choices, ", "));
    if (in.type == InputType::number && !is_number(value))
        return fmt::format("child input '{}' is a number; '{}' is none", in.name, value);
    const std::string l = to_lower(value);
    if (in.type == InputType::boolean && l != "true" && l != "false" && l != "yes" && l != "no" && l != "1" &&
        l != "0")
        return fmt::format("child input '{}' is a boolean; '{}' is neither true nor false", in.name, value);
    return {};
}

// The names a With value of step `index` may read: the parent's inputs, and the outputs of the steps that
// have ended when it starts (a child's declared outputs; for other steps, the parent's declared outputs).
std::set<std::string> readable_names(
    const Workflow& parent, const std::vector<Step>& steps, std::size_t index,
    const std::map<std::string, std::shared_ptr<const ChildSkill>>& children) {
    std::set<std::string> names;
    for (const auto& in : parent.inputs) names.insert(in.name);
    const bool in_steps = &steps == &parent.steps;
    std::set<std::size_t> before;
    if (in_steps) {
        before = runs_after(steps, index);
    } else {
        for (std::size_t k = 0; k < parent.steps.size(); ++k) before.insert(k);
    }
    for (const std::size_t k : before) {
        const Step& s = parent.steps[k];
        const auto child = s.kind == StepKind::workflow ? children.find(s.uses_skill) : children.end();
        if (child != children.end()) {
            for (const auto& o : child->second->workflow.outputs) names.insert(o.name);
        } else if (s.kind != StepKind::workflow) {
            for (const auto& o : parent.outputs) names.insert(o.name);
        }
    }
    return names;
}

// `With:` against what the child declares and what the parent can give.
void check_with(const Step& step, const Workflow& parent, const Workflow& child,
                const std::set<std::string>& readable, Diagnostics& diags) {
    const SourcePos at = step.with_pos.line ? step.with_pos : step.uses_pos;
    std::string declared;
    for (const auto& in : child.inputs) declared += (declared.empty() ? "" : ", ") + in.name;
    for (const auto& [name, value] : step.with) {
        const Input* in = find_input(child, name);
        if (!in) {
            diags.error(at, fmt::format("step '{}': child workflow '{}' has no input '{}' (its inputs: {})",
                                        step.id, child.name, name, declared.empty() ? "none" : declared));
            continue;
        }
        const auto refs = references(value);
        for (const auto& r : refs) {
            // A secret stays masked only where it is declared secret: the child's record shows its inputs.
            if (const Input* given = find_input(parent, r); given && given->secret && !in->secret) {
                diags.error(at,
                            fmt::format("step '{}': `With: {}=…` passes the secret input ${} to child input "
                                        "'{}', which is not secret: the child's run record would show it "
                                        "(mark it secret in the child)",
                                        step.id, name, r, name));
            }
            if (readable.count(r)) continue;
            diags.error(at,
                        fmt::format("step '{}': `With: {}=…` reads ${}, which is neither an input of this "
                                    "workflow nor an output of a step that has ended before this one",
                                    step.id, name, r));
        }
        if (refs.empty()) {
            if (const auto problem = literal_problem(*in, value); !problem.empty())
                diags.error(at, fmt::format("step '{}': {}", step.id, problem));
        }
    }
    for (const auto& in : child.inputs) {
        const bool given = std::any_of(step.with.begin(), step.with.end(),
                                       [&](const auto& kv) { return kv.first == in.name; });
        if (in.required && !in.default_value && !given) {
            diags.error(at, fmt::format("step '{}': child workflow '{}' requires input '{}': give it with "
                                        "`With: {}=…`",
                                        step.id, child.name, in.name, in.name));
        }
    }
}

std::string shown_chain(const std::vector<std::pair<std::string, std::string>>& stack, std::size_t from,
                        const std::string& last) {
    std::string chain;
    for (std::size_t i = from; i < stack.size(); ++i) chain += stack[i].second + " -> ";
    return chain + last;
}

}  // namespace

std::string relative_source(const std::string& source, const std::string& skill_dir) {
    const auto from = absolute_parts(skill_dir), to = absolute_parts(source);
    std::size_t common = 0;
    while (common < from.size() && common < to.size() && from[common] == to[common]) ++common;
    std::string out;
    for (std::size_t i = common; i < from.size(); ++i) out += "../";
    for (std::size_t i = common; i < to.size(); ++i) out += to[i] + (i + 1 < to.size() ? "/" : "");
    return out;
}

std::string compiled_home(const std::string& dir) {
    // Absolute, so that "children/x" seen from inside its parent climbs out of it too.
    const auto parts = absolute_parts(dir);
    std::size_t outer = parts.size();  // parts[0, outer) is the outermost skill folder found so far
    while (outer >= 3 && parts[outer - 2] == kChildrenDir) {
        std::string parent;
        for (std::size_t i = 0; i + 2 < outer; ++i) parent += "/" + parts[i];
        struct stat st {};
        if (::stat((parent + "/skill.json").c_str(), &st) != 0) break;
        outer -= 2;
    }
    if (outer == parts.size()) return dir;
    std::string home;
    for (std::size_t i = 0; i + 1 < outer; ++i) home += "/" + parts[i];
    return home + "/" + parts.back();
}

std::string source_from(const std::string& home, const std::string& source) {
    if (!source.empty() && source[0] == '/') return source;
    std::vector<std::string> parts;
    const std::string joined = home + "/" + source;  // split's views point into it
    for (const auto& part : split(joined, '/')) {
        if (part == "..") {
            if (!parts.empty() && parts.back() != "..") {
                parts.pop_back();
                continue;
            }
        } else if (part.empty() || part == ".") {
            continue;
        }
        parts.emplace_back(part);
    }
    std::string out = home.empty() || home[0] != '/' ? "" : "/";
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? "/" : "") + parts[i];
    return out.empty() ? "." : out;
}

Manifest manifest_for(const std::string& raw, Workflow workflow, std::string source_path) {
    Manifest m;
    m.source_sha256 = sha256_hex(raw);
    m.version = m.source_sha256.substr(0, 12);
    m.compiler_version = DF_VERSION;
    m.source_path = std::move(source_path);
    m.workflow = std::move(workflow);
    return m;
}

ParsedWith parse_with(std::string_view written) {
    ParsedWith out;
    std::size_t i = 0;
    while (i < written.size()) {
        const auto eq = written.find('=', i);
        const auto comma = written.find(',', i);
        const std::string name(trim(written.substr(i, std::min(eq, comma) - i)));
        if (eq == std::string_view::npos || comma < eq || !is_identifier(name)) {
            out.error = fmt::format(
                "`With:` wants name=value pairs separated by commas (`With: branch=$branch, "
                "mode=\"a, b\"`); '{}' is none",
                trim(written.substr(i, comma == std::string_view::npos ? comma : comma - i)));
            return out;
        }
        std::size_t v = eq + 1;
        while (v < written.size() && written[v] == ' ') ++v;
        std::string value;
        if (v < written.size() && written[v] == '"') {
            const auto close = written.find('"', v + 1);
            if (close == std::string_view::npos) {
                out.error = fmt::format("`With: {}=…`: the value's closing \" is missing", name);
                return out;
            }
            value = std::string(written.substr(v + 1, close - v - 1));
            v = close + 1;
            while (v < written.size() && written[v] == ' ') ++v;
            if (v < written.size() && written[v] != ',') {
                out.error = fmt::format(
                    "`With: {}=…`: text after the quoted value; separate pairs with commas", name);
                return out;
            }
        } else {
            const auto end = written.find(',', v);
            value = std::string(trim(written.substr(v, end == std::string_view::npos ? end : end - v)));
            v = end == std::string_view::npos ? written.size() : end;
        }
        if (std::any_of(out.pairs.begin(), out.pairs.end(),
                        [&](const auto& kv) { return kv.first == name; })) {
            out.error = fmt::format("`With:` gives '{}' twice", name);
            return out;
        }
        out.pairs.emplace_back(name, value);
        i = v < written.size() ? v + 1 : v;
    }
    return out;
}

Bundle ChildCompiler::bundle(Workflow& workflow, const std::string& path, Diagnostics& diags) {
    stack_.emplace_back(canonical_path(path), path.substr(path.rfind('/') + 1));
    Bundle out = bundle_steps(workflow, path, diags);
    stack_.pop_back();
    return out;
}

Bundle ChildCompiler::bundle_steps(Workflow& workflow, const std::string& path, Diagnostics& diags) {
    Bundle out;
    std::map<std::string, std::string> bundled;  // skill name → canonical path of what was bundled
    const std::string dir = directory_of(path);
    for (auto* list : {&workflow.steps, &workflow.rollback, &workflow.on_failure}) {
        for (std::size_t i = 0; i < list->size(); ++i) {
            Step& step = (*list)[i];
            if (step.kind != StepKind::workflow) {
                if (!step.with_written.empty())
                    diags.error(step.with_pos, fmt::format("step '{}' has `With:` without `Uses:`", step.id));
                continue;
            }
            bundle_step(step, dir, out, bundled, diags);
        }
    }
    // `With:` once every child is known: a value may read the outputs of a child listed further down.
    std::map<std::string, std::shared_ptr<const ChildSkill>> known;
    for (const auto& [name, key] : bundled) known.emplace(name, cache_.at(key).child);
    for (const auto* list : {&workflow.steps, &workflow.rollback, &workflow.on_failure}) {
        for (std::size_t i = 0; i < list->size(); ++i) {
            const Step& step = (*list)[i];
            const auto child = known.find(step.uses_skill);
            if (step.kind != StepKind::workflow || child == known.end()) continue;
            check_with(step, workflow, child->second->workflow, readable_names(workflow, *list, i, known),
                       diags);
        }
    }
    return out;
}

void ChildCompiler::bundle_step(Step& step, const std::string& dir, Bundle& out,
                                std::map<std::string, std::string>& bundled, Diagnostics& diags) {
    if (!step.with_written.empty()) {
        ParsedWith with = parse_with(trim(step.with_written));
        if (!with.error.empty())
            diags.error(step.with_pos, fmt::format("step '{}': {}", step.id, with.error));
        step.with = std::move(with.pairs);
    }
    const Resolved where = resolve(std::string(trim(step.uses_source)), dir);
    if (!where.error.empty())
        return diags.error(step.uses_pos, fmt::format("step '{}': {}", step.id, where.error));
    const std::string key = canonical_path(where.path);
    for (std::size_t k = 0; k < stack_.size(); ++k) {
        if (stack_[k].first != key) continue;
        return diags.error(step.uses_pos,
                           fmt::format("step '{}': the workflows call each other in a cycle: {}", step.id,
                                       shown_chain(stack_, k, stack_[k].second)));
    }
    auto found = cache_.find(key);
    if (found == cache_.end()) {
        found = cache_.emplace(key, where.folder ? load_folder(where.path) : compile_file(where.path)).first;
    }
    const Entry& entry = found->second;
    if (!entry.child) return diags.error(step.uses_pos, fmt::format("step '{}': {}", step.id, entry.error));
    if (!entry.warnings.empty() && warned_.insert(key).second) {
        diags.warning(step.uses_pos, fmt::format("step '{}': child workflow '{}' has warnings:\n{}", step.id,
                                                 where.path, entry.warnings));
    }
    const ChildSkill& child = *entry.child;
    step.uses_skill = child.workflow.name;
    const auto [at, fresh] = bundled.emplace(child.workflow.name, key);
    if (!fresh && at->second != key) {
        return diags.error(step.uses_pos,
                           fmt::format("step '{}': two different child workflows are named '{}' "
                                       "(children/{} can hold one)",
                                       step.id, child.workflow.name, child.workflow.name));
    }
    if (!fresh) return;
    const std::string prefix = fmt::format("{}/{}/", kChildrenDir, child.workflow.name);
    for (const auto& f : child.files) out.files.push_back({prefix + f.path, f.content, f.mode});
    out.sources.insert(out.sources.end(), child.sources.begin(), child.sources.end());
}

// `Uses: x.md` (or any path): that file, relative to the parent's folder. `Uses: NAME`: a workflow file
// beside the parent that compiles to NAME (NAME.md first), else the compiled skill folder --out/NAME.
ChildCompiler::Resolved ChildCompiler::resolve(const std::string& uses, const std::string& dir) {
    if (uses.empty()) return {{}, false, "`Uses:` needs a workflow file (run-tests.md) or a skill name"};
    const bool is_file = uses.size() > 3 && uses.ends_with(".md");
    if (is_file || uses.find('/') != std::string::npos) {
        const std::string path = uses[0] == '/' || dir == "." ? uses : dir + "/" + uses;
        if (!exists(path, false)) {
            return {{},
                    false,
                    fmt::format("child workflow '{}' not found{}", uses,
                                path == uses ? std::string() : fmt::format(" (looked for {})", path))};
        }
        return {path, false, {}};
    }
    if (!is_skill_name(uses)) {
        return {
            {},
            false,
            fmt::format("`Uses: {}` names neither a workflow file (NAME.md) nor a skill (lower-case letters, "
                        "digits and -)",
                        uses)};
    }
    const std::string prefix = dir == "." ? "" : dir + "/";
    std::vector<std::string> candidates{prefix + uses + ".md"};
    if (DIR* d = ::opendir(dir.c_str())) {
        std::vector<std::string> others;
        while (const dirent* e = ::readdir(d)) {
            const std::string entry = e->d_name;
            if (entry.size() > 3 && entry.ends_with(".md") && entry != uses + ".md")
                others.push_back(prefix + entry);
        }
        ::closedir(d);
        std::sort(others.begin(), others.end());
        if (others.size() > 500) others.resize(500);
        candidates.insert(candidates.end(), others.begin(), others.end());
    }
    for (const auto& c : candidates) {
        if (exists(c, false) && skill_name_of(c) == uses) return {c, false, {}};
    }
    const std::string folder = out_dir_ + "/" + uses;
    if (exists(folder + "/" + std::string(kManifestFile), false)) return {folder, true, {}};
    return {
        {},
        false,
        fmt::format(
            "no child workflow '{}': no workflow file beside this one compiles to that name, and {} is no "
            "compiled skill",
            uses, folder)};
}

const std::string& ChildCompiler::skill_name_of(const std::string& file) {
    const auto [at, fresh] = names_.try_emplace(canonical_path(file));
    if (!fresh) return at->second;
    const auto raw = read_file(file, kMaxSourceBytes);
    if (!raw) return at->second;
    Diagnostics ignored;
    const SourceFile source(file, *raw, ignored);
    if (source.usable()) at->second = parse_workflow(source, ignored).name;
    return at->second;
}

// A child workflow file compiled as compiling it alone would, its own children bundled first.
ChildCompiler::Entry ChildCompiler::compile_file(const std::string& path) {
    const auto raw = read_file(path, kMaxSourceBytes + 1);
    if (!raw) return {nullptr, raw.error().message, {}};
    Diagnostics diags;
    const SourceFile source(path, *raw, diags);
    Workflow workflow;
    if (source.usable()) workflow = parse_workflow(source, diags);
    auto child = std::make_shared<ChildSkill>();
    child->sources.push_back(path);
    Bundle own;
    if (!diags.has_errors()) {
        stack_.emplace_back(canonical_path(path), path.substr(path.rfind('/') + 1));
        own = bundle_steps(workflow, path, diags);
        stack_.pop_back();
    }
    if (!diags.has_errors()) {
        const std::string folder = out_dir_ + "/" + workflow.name;
        Manifest manifest = manifest_for(*raw, std::move(workflow), relative_source(path, folder));
        child->files = generate_skill(manifest, diags);
        child->files.push_back(run_state_gitignore());
        child->files.insert(child->files.end(), own.files.begin(), own.files.end());
        child->sources.insert(child->sources.end(), own.sources.begin(), own.sources.end());
        child->workflow = std::move(manifest.workflow);
    }
    if (diags.has_errors()) {
        std::string text = fmt::format("child workflow '{}' does not compile:\n", path);
        for (const auto& d : diags.all()) {
            if (d.severity == Severity::error) text += format_diagnostic(d, source, color_);
        }
        while (!text.empty() && text.back() == '\n') text.pop_back();
        return {nullptr, text, {}};
    }
    std::string warnings;
    for (const auto& d : diags.all()) {
        if (d.severity == Severity::warning) warnings += format_diagnostic(d, source, color_);
    }
    while (!warnings.empty() && warnings.back() == '\n') warnings.pop_back();
    return {child, {}, warnings};
}

// A skill compiled earlier into --out: its folder as it is (its run records left out).
ChildCompiler::Entry ChildCompiler::load_folder(const std::string& folder) {
    const auto manifest = load_manifest(folder);
    if (!manifest) return {nullptr, manifest.error().message, {}};
    auto files = read_skill_files(folder);
    if (!files) return {nullptr, files.error().message, {}};
    auto child = std::make_shared<ChildSkill>();
    child->workflow = manifest->workflow;
    child->files = std::move(*files);
    child->sources.push_back(folder + "/" + std::string(kManifestFile));
    return {child, {}, {}};
}

}  // namespace df::compiler
