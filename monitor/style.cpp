#include "monitor/style.h"

#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace df::monitor {

Style Style::for_fd(int fd) {
    const char* term = std::getenv("TERM");
    const char* no_color = std::getenv("NO_COLOR");
    const bool rich = ::isatty(fd) == 1 && (no_color == nullptr || *no_color == '\0') &&
                      (term == nullptr || std::strcmp(term, "dumb") != 0);
    return Style{rich, rich};
}

std::string paint(const Style& style, Tone tone, std::string_view text) {
    if (!style.color || tone == Tone::plain) return std::string(text);
    std::string_view code;
    switch (tone) {
        case Tone::good:
            code = "\x1b[32m";
            break;
        case Tone::bad:
            code = "\x1b[31m";
            break;
        case Tone::warn:
            code = "\x1b[33m";
            break;
        case Tone::dim:
            code = "\x1b[2m";
            break;
        case Tone::plain:
            break;
    }
    std::string out(code);
    out += text;
    out += "\x1b[0m";
    return out;
}

std::string_view mark(const Style& style, Tone tone) {
    if (!style.symbols) return "";
    switch (tone) {
        case Tone::good:
            return "✓ ";
        case Tone::bad:
            return "✗ ";
        case Tone::warn:
            return "! ";
        case Tone::dim:
        case Tone::plain:
            return "· ";
    }
    return "";
}

std::size_t display_width(std::string_view text) {
    std::size_t width = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == 0x1b) {  // CSI sequence: ESC [ parameters final-byte
            while (i + 1 < text.size() && !(text[i + 1] >= '@' && text[i + 1] <= '~' && text[i + 1] != '['))
                ++i;
            ++i;
            continue;
        }
        if ((c & 0xC0) != 0x80) ++width;  // count lead bytes only
    }
    return width;
}

}  // namespace df::monitor
