// Writing Markdown: escaping text only where CommonMark would read markup, code spans and fences that hold
// any text, and the block tree rendered back (the sections SKILL.md carries over from the workflow).
#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "common/text.h"
#include "compiler/markdown.h"

namespace df::compiler {

namespace {

// True when `out` so far is only digits, so a following '.' or ')' would start an ordered list.
bool line_start_digits(std::string_view out) {
    return !out.empty() && std::all_of(out.begin(), out.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

// Escapes only where CommonMark would read markup, so the text stays readable as plain text for an agent
// reading the raw file: `timed_out` keeps its underscore, "A & B" its ampersand.
std::string escape_markdown(std::string_view text) {
    auto alnum = [&](std::size_t i) {
        return i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) ||
                                   static_cast<unsigned char>(text[i]) >= 0x80);
    };
    std::string out;
    bool line_start = true;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\n' || c == '\r') {
            out += ' ';
            continue;
        }
        const char next = i + 1 < text.size() ? text[i + 1] : '\0';
        bool escape = false;
        switch (c) {
            case '\\':
            case '`':
            case '*':
            case '[':
            case ']':
            case '<':
                escape = true;
                break;
            case '_':
                escape = !(i > 0 && alnum(i - 1) && alnum(i + 1));
                break;  // intraword _ is literal
            case '&':
                escape = std::isalnum(static_cast<unsigned char>(next)) || next == '#';
                break;  // entities
            case '!':
                escape = next == '[';
                break;  // images
            case '~':
                escape = next == '~';
                break;  // strikethrough
            case '#':
            case '>':
            case '-':
            case '+':
            case '=':
                escape = line_start;
                break;
            case '.':
            case ')':
                escape = line_start_digits(out);
                break;  // "1." would start a list
            default:
                break;
        }
        if (escape) out += '\\';
        out += c;
        if (c != ' ') line_start = false;
    }
    return out;
}

std::string code_span(std::string_view text) {
    std::string body;
    for (const char c : text) body += (c == '\n' || c == '\r') ? ' ' : c;
    std::size_t longest = 0, run = 0;
    for (const char c : body) {
        run = c == '`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    const std::string fence(longest + 1, '`');
    const bool pad = body.empty() || body.front() == '`' || body.back() == '`' || body.front() == ' ';
    return pad ? fence + " " + body + " " + fence : fence + body + fence;
}

std::string code_fence(std::string_view code, std::string_view language) {
    std::size_t longest = 0, run = 0;
    for (const char c : code) {
        run = c == '`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    const std::string fence(std::max<std::size_t>(3, longest + 1), '`');
    std::string lang;
    for (const char c : language) {
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '_') lang += c;
    }
    std::string out = fence + lang + "\n" + std::string(code);
    if (!code.empty() && code.back() != '\n') out += '\n';
    out += fence + "\n";
    return out;
}

std::string inline_markdown(const std::vector<Run>& runs) {
    std::string out;
    for (const auto& r : runs) {
        if (r.kind == Run::Kind::softbreak || r.kind == Run::Kind::hardbreak) {
            out += ' ';
        } else if (r.kind == Run::Kind::code) {
            out += code_span(r.text);
        } else {
            std::string piece =
                out.empty() ? escape_markdown(r.text) : escape_markdown(" " + r.text).substr(1);
            out += piece;
        }
        if (!r.link.empty() && r.kind != Run::Kind::softbreak &&
            (&r == &runs.back() || (&r + 1)->link != r.link)) {
            out += " (" + escape_markdown(r.link) + ")";
        }
    }
    return collapse_whitespace(out);
}

namespace {

std::string indent_lines(const std::string& text, std::string_view first, std::string_view rest) {
    std::string out;
    bool first_line = true;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        const std::string_view line(text.data() + start, end - start);
        if (!line.empty()) out += first_line ? first : rest;
        out += line;
        out += '\n';
        first_line = false;
        start = end + 1;
    }
    return out;
}

std::string render_block(const Block& b) {
    switch (b.type) {
        case BlockType::heading:
            return "**" + inline_markdown(b.runs) + "**\n\n";
        case BlockType::paragraph:
            return inline_markdown(b.runs) + "\n\n";
        case BlockType::code:
            return code_fence(b.code, b.language) + "\n";
        case BlockType::rule:
            return "***\n\n";
        case BlockType::bullet_list:
        case BlockType::ordered_list: {
            std::string out;
            int n = 1;
            for (const auto& item : b.children) {
                std::string body;
                for (const auto& c : item->children) body += render_block(*c);
                while (body.size() > 1 && body.back() == '\n' && body[body.size() - 2] == '\n')
                    body.pop_back();
                if (body.empty()) body = "\n";
                const std::string marker = b.type == BlockType::bullet_list ? "- " : fmt::format("{}. ", n++);
                out += indent_lines(body, marker, std::string(marker.size(), ' '));
            }
            return out + "\n";
        }
        case BlockType::quote: {
            std::string body;
            for (const auto& c : b.children) body += render_block(*c);
            return indent_lines(body, "> ", "> ") + "\n";
        }
        default: {
            std::string out;
            for (const auto& c : b.children) out += render_block(*c);
            return out;
        }
    }
}

}  // namespace

std::string render_markdown(const std::vector<const Block*>& blocks) {
    std::string out;
    for (const Block* b : blocks) out += render_block(*b);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

}  // namespace df::compiler
