// skill.json flattened for the executor: `skill.fields`, which `run` reads with bash builtins alone so
// a run starts without a jq process (see docs/run.md, "Start-up"). Derived from the manifest in the same
// compile as skill.json; never edited by hand.
#pragma once

#include <string>
#include <string_view>

#include "common/manifest.h"

namespace df::compiler {

inline constexpr std::string_view kRunFieldsFile = "skill.fields";
inline constexpr std::string_view kRunFieldsHeader = "dark-factory run fields 4";

// The file's text. Line 1 is the header; lines 2-4 name the fields, space-separated, after the words
// `run`, `step` and `input`; every following line is one field's value, with `\` written `\\` and a newline
// `\n` (bash's `printf %b` reverses exactly that): the run's fields, then those of every step and rollback
// step (the counts are the run fields `steps` and `rollback`), then those of every input (`inputs`). The
// names are written once, in the tables of run_fields.cpp; lib/manifest.sh reads every value by its name
// (a run field into _DF_M[name], a step field into the array _DF_STEP_<NAME>, an input field into the
// associative array _DF_DECL_<NAME> keyed by the input's name). Flags are "1" or empty, absent numbers
// empty; the `json_*` fields are JSON string literals for the run record, escaped as jq escapes.
std::string run_fields(const Manifest& manifest);

// A JSON string literal escaped exactly as jq 1.6 prints it (\b \t \n \f \r, \u00xx for the other
// control characters and DEL, bytes >= 0x80 as they are).
std::string jq_quote(std::string_view text);

}  // namespace df::compiler
