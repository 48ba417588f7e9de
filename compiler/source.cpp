#include "compiler/source.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/text.h"

namespace df::compiler {
namespace {

// Line and 1-based byte column of `offset` in `raw`, counting LF, CRLF and CR as line ends.
SourcePos raw_position(std::string_view raw, std::size_t offset) {
    SourcePos pos{1, 1};
    for (std::size_t i = 0; i < offset && i < raw.size(); ++i) {
        if (raw[i] == '\n' || (raw[i] == '\r' && (i + 1 >= raw.size() || raw[i + 1] != '\n'))) {
            ++pos.line;
            pos.column = 1;
        } else if (raw[i] != '\r') {
            ++pos.column;
        }
    }
    return pos;
}

bool is_bidi_control(std::string_view s, std::size_t i) {
    // U+202A..U+202E (E2 80 AA..AE) and U+2066..U+2069 (E2 81 A6..A9): they make text display differently
    // from what it is (Trojan Source, CVE-2021-42574).
    if (i + 2 >= s.size() || static_cast<unsigned char>(s[i]) != 0xE2) return false;
    const auto b1 = static_cast<unsigned char>(s[i + 1]), b2 = static_cast<unsigned char>(s[i + 2]);
    return (b1 == 0x80 && b2 >= 0xAA && b2 <= 0xAE) || (b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9);
}

}  // namespace

SourceFile::SourceFile(std::string name, std::string_view raw, Diagnostics& diags) : name_(std::move(name)) {
    if (raw.size() > kMaxSourceBytes) {
        diags.error({}, fmt::format("file is {} bytes, over the limit of {} bytes (1 MiB)", raw.size(),
                                    kMaxSourceBytes));
        usable_ = false;
    }
    // md4c would read a BOM as text. Byte offsets in messages still count from the start of the file.
    std::size_t bom = 0;
    if (raw.substr(0, 3) == "\xEF\xBB\xBF") raw.remove_prefix(bom = 3);
    if (usable_) {
        if (const auto bad = find_invalid_utf8(raw)) {
            diags.error(
                raw_position(raw, *bad),
                fmt::format("invalid UTF-8 at byte offset {}: the file must be UTF-8 text", *bad + bom));
            usable_ = false;
        }
    }
    // Control characters other than tab and line ends, and bidi controls, are refused wherever they stand:
    // the text ends up in shell, JSON, YAML and terminals. All of them are reported, not only the first.
    for (std::size_t i = 0; usable_ && i < raw.size(); ++i) {
        const auto c = static_cast<unsigned char>(raw[i]);
        if (c == 0) {
            diags.error(raw_position(raw, i), fmt::format("NUL byte at byte offset {}", i + bom));
        } else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
            diags.error(raw_position(raw, i),
                        fmt::format("control character U+{:04X} at byte offset {}", c, i + bom));
        } else if (is_bidi_control(raw, i)) {
            diags.error(raw_position(raw, i),
                        fmt::format("bidirectional control character at byte offset {}: it makes text read "
                                    "differently from what it is",
                                    i + bom));
        }
    }
    if (diags.has_errors()) usable_ = false;

    text_.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\r') {
            text_ += '\n';
            if (i + 1 < raw.size() && raw[i + 1] == '\n') ++i;
        } else {
            text_ += raw[i];
        }
    }
    line_starts_.push_back(0);
    for (std::size_t i = 0; i < text_.size(); ++i) {
        if (text_[i] == '\n' && i + 1 < text_.size()) line_starts_.push_back(i + 1);
    }
}

SourcePos SourceFile::position(std::size_t offset) const {
    const auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    const auto line = static_cast<int>(it - line_starts_.begin());
    return {line, static_cast<int>(offset - line_starts_[static_cast<std::size_t>(line - 1)]) + 1};
}

std::string_view SourceFile::line_text(int line) const {
    if (line < 1 || line > line_count()) return {};
    const std::size_t start = line_start(line);
    const std::size_t end = text_.find('\n', start);
    return std::string_view(text_).substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace df::compiler
