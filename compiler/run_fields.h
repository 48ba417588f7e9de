// skill.json flattened for the executor: `skill.fields`, which `run` reads with bash builtins alone so
// a run starts without a jq process (see docs/run.md, "Start-up"). Derived from the manifest in the same
// compile as skill.json; never edited by hand.
#pragma once

#include <string>
#include <string_view>

#include "common/manifest.h"

namespace df::compiler {

inline constexpr std::string_view kRunFieldsFile = "skill.fields";
inline constexpr std::string_view kRunFieldsHeader = "dark-factory run fields 3";

// The file's text: the header line, then one field per line with `\` written `\\` and a newline `\n`
// (bash's `printf %b` reverses exactly that). The fields, in order:
//   - the manifest as lib/manifest.sh's `manifest_fields` lists it (name, version, title, the policy, the
//     step and rollback counts, then id, kind, title, timeout, retries and commands of every step);
//   - the inputs: their count, then per input name, type, required, has-default, default, secret, the
//     upper-case alias (empty for none), the number of choices and the choices (flags are "1" or empty,
//     absent numbers empty);
//   - JSON string literals for the run record, escaped as jq escapes: the skill's name and version, then
//     per step (not rollback) its id, title and kind.
std::string run_fields(const Manifest& manifest);

// A JSON string literal escaped exactly as jq 1.6 prints it (\b \t \n \f \r, \u00xx for the other
// control characters and DEL, bytes >= 0x80 as they are).
std::string jq_quote(std::string_view text);

}  // namespace df::compiler
