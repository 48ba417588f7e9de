// Environment lookup as a value, so config resolution can be tested without touching the process environment.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace df {

// The value of an environment variable; nullopt when unset. Empty values count as unset everywhere we
// resolve settings (an exported-but-empty variable is a common shell accident).
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

EnvLookup process_env();                                       // getenv
EnvLookup fixed_env(std::map<std::string, std::string> vars);  // for tests

}  // namespace df
