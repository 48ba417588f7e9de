// Aligned plain-text tables: the shape of every human listing monitor prints.
#pragma once

#include <string>
#include <vector>

#include "monitor/style.h"

namespace df::monitor {

struct Cell {
    std::string text;
    Tone tone = Tone::plain;
    bool marked = false;  // prefix with the tone's symbol when the style has symbols
};

struct Table {
    std::vector<std::string> headers;
    std::vector<std::vector<Cell>> rows;  // each row has headers.size() cells
};

// Columns separated by two spaces and padded to the widest cell; the last column is not padded and no line
// ends in spaces. Empty cells print as "-" so columns stay parseable by `awk`.
std::string render_table(const Table& table, const Style& style);

}  // namespace df::monitor
