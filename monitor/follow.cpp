#include "monitor/follow.h"

#include <algorithm>

namespace df::monitor {

std::vector<std::string> split_lines(std::string_view text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.emplace_back(line);
        start = end + 1;
    }
    return lines;
}

std::vector<std::string> new_lines(const std::vector<std::string>& previous,
                                   const std::vector<std::string>& current) {
    const std::size_t longest = std::min(previous.size(), current.size());
    for (std::size_t k = longest; k > 0; --k) {
        if (std::equal(previous.end() - static_cast<std::ptrdiff_t>(k), previous.end(), current.begin())) {
            return {current.begin() + static_cast<std::ptrdiff_t>(k), current.end()};
        }
    }
    return current;
}

}  // namespace df::monitor
