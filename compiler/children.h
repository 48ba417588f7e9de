// `Uses:` steps (docs/workflow-format.md, "Child workflows"): each child workflow is resolved, compiled once
// per compile run, checked against its step's `With:`, and bundled into the parent's skill folder at
// children/<child skill name>/, exactly as compiling the child alone writes its folder. A deployed parent is
// then one self-contained folder.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/manifest.h"
#include "compiler/diagnostics.h"
#include "compiler/generator.h"

namespace df::compiler {

inline constexpr std::string_view kChildrenDir = "children";

// The path `source` as seen from the folder `skill_dir` (either may be relative to the working directory):
// skill.json's source.path, so deploy finds the workflow wherever it is run from.
std::string relative_source(const std::string& source, const std::string& skill_dir);

// The folder a skill folder's source.path is relative to: `dir` itself, or for a child bundled in a parent
// (P/children/NAME with P a skill folder, perhaps bundled itself) the folder compile wrote it to, OUT/NAME
// beside the outermost parent (compile --verify of a bundled child).
std::string compiled_home(const std::string& dir);

// `source` (relative, as source.path is) seen from the folder `home`, its `..` taken lexically: `home` need
// not exist.
std::string source_from(const std::string& home, const std::string& source);

// The manifest of a workflow read from `raw`, before generate_skill: version, hashes and source path.
Manifest manifest_for(const std::string& raw, Workflow workflow, std::string source_path);

// `With: a=$x, b="one, two"`: name=value pairs separated by commas; a value in double quotes may hold
// commas. `error` is set (and `pairs` incomplete) when the text is not of that form.
struct ParsedWith {
    KeyValues pairs;
    std::string error;
};
ParsedWith parse_with(std::string_view written);

// A compiled child: what it declares (its inputs and outputs are checked against `With:`), the files of
// its skill folder, and the workflow files it was built from (itself and its own children).
struct ChildSkill {
    Workflow workflow;
    std::vector<GeneratedFile> files;
    std::vector<std::string> sources;
};

// What a workflow's `Uses:` steps add: files under children/ and the files they were built from.
struct Bundle {
    std::vector<GeneratedFile> files;
    std::vector<std::string> sources;
};

class ChildCompiler {
  public:
    // `out_dir`: compile's --out, where `Uses: NAME` also finds compiled skill folders.
    ChildCompiler(std::string out_dir, bool color) : out_dir_(std::move(out_dir)), color_(color) {}

    // Resolves the `Uses:` steps of `workflow` (read from the file `path`), sets each one's uses_skill and
    // `with`, reports problems into `diags` at the step's `Uses:` or `With:` bullet, and returns the child
    // folders to bundle.
    Bundle bundle(Workflow& workflow, const std::string& path, Diagnostics& diags);

  private:
    struct Entry {
        std::shared_ptr<const ChildSkill> child;
        std::string error;     // why there is no child (its own diagnostics when it does not compile)
        std::string warnings;  // its own warnings, at its file:line:col, shown with the first step using it
    };
    struct Resolved {
        std::string path;  // a workflow file, or a compiled skill folder (folder true)
        bool folder = false;
        std::string error;
    };

    Bundle bundle_steps(Workflow& workflow, const std::string& path, Diagnostics& diags);
    void bundle_step(Step& step, const std::string& dir, Bundle& out,
                     std::map<std::string, std::string>& bundled, Diagnostics& diags);
    Resolved resolve(const std::string& uses, const std::string& dir);
    const std::string& skill_name_of(const std::string& file);
    Entry compile_file(const std::string& path);
    Entry load_folder(const std::string& folder);

    std::string out_dir_;
    bool color_;
    std::map<std::string, Entry> cache_;        // by canonical path
    std::set<std::string> warned_;              // the children whose warnings were shown (by canonical path)
    std::map<std::string, std::string> names_;  // workflow file → the skill name it compiles to
    std::vector<std::pair<std::string, std::string>> stack_;  // the chain being compiled: canonical, shown
};

}  // namespace df::compiler
