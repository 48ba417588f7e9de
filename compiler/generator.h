// Manifest → the files of a skill folder. Pure: no I/O; output.h writes the result.
#pragma once

#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "common/manifest.h"
#include "compiler/diagnostics.h"

namespace df::compiler {

inline constexpr std::size_t kMaxSkillFileBytes = 256000;  // OpenClaw refuses a larger SKILL.md

struct GeneratedFile {
    std::string path;  // relative to the skill folder; may contain sub-folders
    std::string content;
    mode_t mode = 0644;
};

// The binaries every generated skill needs at run time, before the workflow's own Requires.
const std::vector<std::string>& runtime_bins();

// What generate_skill and generate_service produce: every file, or only what the diagnostics need
// (`compile --check`): the same diagnostics, but of the files only SKILL.md, whose size is checked.
enum class Generate { files, diagnostics };

// Renders every file of the skill folder, in a fixed order. Problems that only show in the output (a
// SKILL.md too large for OpenClaw) are reported into `diags`.
std::vector<GeneratedFile> generate_skill(const Manifest& manifest, Diagnostics& diags,
                                          Generate what = Generate::files);

// The one-line description for the SKILL.md frontmatter: plain text, at most 160 bytes.
std::string short_description(const Workflow& workflow);

// Embedded template files (generated at build time from compiler/templates/).
std::string_view embedded_file(std::string_view name);

}  // namespace df::compiler
