// `--logs --follow`: Coolify only returns the last N lines of a container's log, so following means
// polling and printing the lines that were not in the previous window.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace df::monitor {

// Splits a log blob into lines (no trailing empty line, "\r\n" tolerated).
std::vector<std::string> split_lines(std::string_view text);

// The lines of `current` that follow the part it shares with the end of `previous`: the longest suffix of
// `previous` that is a prefix of `current` is taken as already printed. Without any overlap every line of
// `current` is new (more lines arrived than the window holds, or the container restarted).
std::vector<std::string> new_lines(const std::vector<std::string>& previous,
                                   const std::vector<std::string>& current);

}  // namespace df::monitor
