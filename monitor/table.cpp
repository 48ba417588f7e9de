#include "monitor/table.h"

#include <algorithm>

namespace df::monitor {

namespace {

std::string cell_text(const Cell& cell, const Style& style) {
    std::string text = cell.text.empty() ? "-" : cell.text;
    if (cell.marked) text = std::string(mark(style, cell.tone)) + text;
    return text;
}

void append_padded(std::string& line, const std::string& text, std::size_t width, bool last) {
    line += text;
    if (!last) line.append(width - display_width(text) + 2, ' ');
}

}  // namespace

std::string render_table(const Table& table, const Style& style) {
    const std::size_t columns = table.headers.size();
    std::vector<std::size_t> widths(columns, 0);
    for (std::size_t c = 0; c < columns; ++c) widths[c] = display_width(table.headers[c]);
    std::vector<std::vector<std::string>> texts;
    for (const auto& row : table.rows) {
        auto& out = texts.emplace_back();
        for (std::size_t c = 0; c < columns; ++c) {
            out.push_back(c < row.size() ? cell_text(row[c], style) : "-");
            widths[c] = std::max(widths[c], display_width(out.back()));
        }
    }
    std::string result;
    std::string line;
    for (std::size_t c = 0; c < columns; ++c)
        append_padded(line, table.headers[c], widths[c], c + 1 == columns);
    result += paint(style, Tone::dim, line) + "\n";
    for (std::size_t r = 0; r < texts.size(); ++r) {
        line.clear();
        for (std::size_t c = 0; c < columns; ++c) {
            const bool last = c + 1 == columns;
            const Tone tone = c < table.rows[r].size() ? table.rows[r][c].tone : Tone::plain;
            line += paint(style, tone, texts[r][c]);
            if (!last) line.append(widths[c] - display_width(texts[r][c]) + 2, ' ');
        }
        result += line + "\n";
    }
    return result;
}

}  // namespace df::monitor
