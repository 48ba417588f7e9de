// What an input may be called, and the environment variables it reaches command steps under. One rule for
// compile and the executor: compile refuses every name the executor would refuse (kInputNamePattern is the
// executor's _DF_NAME_RE in lib/runtime.sh; a unit test keeps the two equal), and decides here, once, which
// upper-case alias each input gets, so the executor only follows skill.json.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace df::compiler {

inline constexpr std::string_view kInputNamePattern = "^[a-z][a-z0-9_]{0,63}$";

// Why `name` cannot be an input name (the whole message, with the fix), or nothing when it can.
std::optional<std::string> input_name_problem(std::string_view name);

// True for variables that commands, shells, loaders and the engine rely on (PATH, HOME, USER, LANG, LD_*,
// BASH_*, DF_*, GIT_DIR, …): an input never reaches a step under such a name.
bool env_name_steps_rely_on(std::string_view upper_name);

// The same two rules as extended regular expressions (bash's =~) over an upper-case name, for the executor,
// which applies them to outputs no `## Outputs` declares (skill.fields env_rely_re, env_loader_re).
std::string env_rely_regex();
std::string loader_families_regex();

std::string upper_case(std::string_view name);

// True when `--NAME` (with '_' written '-') is one of run's own options (--json, --status, --step, …), so an
// input of that name cannot be given as `--NAME VALUE` on run's command line. A unit test keeps this list
// and lib/main.sh's df_parse_args equal.
bool is_run_option(std::string_view name);

// The service environment variable a run reads input `name` from when its trigger does not give it:
// DF_INPUT_ and the name in upper case (docs/run.md, "Inputs").
std::string service_env_name(std::string_view name);

}  // namespace df::compiler
