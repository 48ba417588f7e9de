#include "compiler/diagnostics.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/text.h"
#include "compiler/source.h"

namespace df::compiler {
namespace {

// The source line as it may be printed: control characters and invalid UTF-8 become '?', so a diagnostic
// about a bad byte does not send that byte to the terminal.
std::string printable(std::string_view line) {
    std::string out;
    while (!line.empty()) {
        const auto bad = find_invalid_utf8(line);
        const std::size_t good = bad ? *bad : line.size();
        for (std::size_t i = 0; i < good; ++i) {
            const auto c = static_cast<unsigned char>(line[i]);
            out += (c < 0x20 && c != '\t') || c == 0x7F ? '?' : line[i];
        }
        if (!bad) break;
        out += '?';
        line.remove_prefix(good + 1);
    }
    return out;
}

}  // namespace

void Diagnostics::error(SourcePos pos, std::string message) {
    items_.push_back({Severity::error, pos, std::move(message)});
}

void Diagnostics::warning(SourcePos pos, std::string message) {
    items_.push_back({Severity::warning, pos, std::move(message)});
}

bool Diagnostics::has_errors() const {
    return count(Severity::error) > 0;
}

std::size_t Diagnostics::count(Severity severity) const {
    return static_cast<std::size_t>(std::count_if(
        items_.begin(), items_.end(), [&](const Diagnostic& d) { return d.severity == severity; }));
}

void Diagnostics::promote_warnings() {
    for (auto& d : items_) d.severity = Severity::error;
}

std::string_view to_string(Severity severity) {
    return severity == Severity::error ? "error" : "warning";
}

std::string format_diagnostic(const Diagnostic& d, const SourceFile& source, bool color) {
    const char* bold = color ? "\x1b[1m" : "";
    const char* reset = color ? "\x1b[0m" : "";
    const char* tint = !color ? "" : (d.severity == Severity::error ? "\x1b[1;31m" : "\x1b[1;35m");
    std::string location = source.name();
    if (d.pos.line > 0) location += fmt::format(":{}:{}", d.pos.line, std::max(d.pos.column, 1));
    std::string out = fmt::format("{}{}:{} {}{}:{} {}\n", bold, location, reset, tint, to_string(d.severity),
                                  reset, d.message);
    if (d.pos.line > 0 && d.pos.line <= source.line_count()) {
        const std::string line = printable(source.line_text(d.pos.line));
        const auto gutter = fmt::format("{:>5}", d.pos.line);
        out += fmt::format("{} | {}\n", gutter, line);
        // The caret lines up under the column; tabs in the line are copied so it stays aligned.
        std::string pad;
        for (std::size_t i = 0;
             i + 1 < static_cast<std::size_t>(std::max(d.pos.column, 1)) && i < line.size(); ++i) {
            const auto c = static_cast<unsigned char>(line[i]);
            if (line[i] == '\t') {
                pad += '\t';
            } else if ((c & 0xC0) != 0x80) {
                pad += ' ';
            }
        }
        out += fmt::format("{} | {}{}^{}\n", std::string(gutter.size(), ' '), pad, tint, reset);
    }
    return out;
}

}  // namespace df::compiler
