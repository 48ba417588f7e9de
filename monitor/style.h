// How monitor dresses its human output: colour and status symbols only on a terminal with NO_COLOR unset,
// plain text everywhere else (pipes, cron mail, files).
#pragma once

#include <string>
#include <string_view>

namespace df::monitor {

// The meaning of a piece of text, not its colour: the Style decides how (and whether) to show it.
enum class Tone { plain, good, bad, warn, dim };

struct Style {
    bool color = false;    // ANSI colours
    bool symbols = false;  // ✓ ✗ ! before statuses

    // Colour and symbols when `fd` is a terminal, NO_COLOR is unset and TERM is not "dumb".
    static Style for_fd(int fd);
};

// `text` wrapped in the tone's colour, or unchanged without colour.
std::string paint(const Style& style, Tone tone, std::string_view text);

// The symbol for a tone ("✓", "✗", "!", "·") followed by a space, or "" without symbols.
std::string_view mark(const Style& style, Tone tone);

// Number of terminal columns `text` takes: one per code point, escape sequences not counted.
std::size_t display_width(std::string_view text);

}  // namespace df::monitor
