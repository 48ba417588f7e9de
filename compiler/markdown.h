// The Markdown document as a small tree, built from md4c's callbacks. Every node knows where it starts in
// the source; fenced code is sliced from the source bytes (md4c expands tabs in code, which would break
// `<<-EOF` heredocs). The workflow parser (parser.cpp) reads meaning out of this tree.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "compiler/diagnostics.h"
#include "compiler/source.h"

namespace df::compiler {

inline constexpr int kMaxNesting = 16;  // blocks inside blocks (lists in lists in quotes ...)
inline constexpr std::size_t kMaxNodes = 200000;

// A run of inline text with the formatting that matters to us.
struct Run {
    enum class Kind { text, code, softbreak, hardbreak };
    Kind kind = Kind::text;
    std::string text;
    bool strong = false;
    bool emphasis = false;
    std::string link;        // href when inside a link
    std::size_t offset = 0;  // source offset when known, else npos
};

enum class BlockType {
    document,
    heading,
    paragraph,
    bullet_list,
    ordered_list,
    list_item,
    code,
    quote,
    html,
    rule,
    table,
    other
};

struct Block {
    BlockType type = BlockType::other;
    int level = 0;          // heading level
    std::vector<Run> runs;  // heading and paragraph text; table cells are flattened into paragraphs
    std::vector<std::unique_ptr<Block>> children;
    std::size_t offset = std::string::npos;  // first known source offset
    std::string language;                    // code: info string's first word
    std::string code;                        // code: content, byte-exact from the source
    bool fenced = false;                     // code: fenced (```), not indented
};

// Parses `source` with md4c. Exceeding a limit is reported as an error naming the limit; the tree is then
// partial and must not be used.
std::unique_ptr<Block> parse_markdown(const SourceFile& source, Diagnostics& diags);

// Text of runs without formatting; soft breaks become spaces, whitespace is collapsed.
std::string plain_text(const std::vector<Run>& runs);

// Runs rendered as safe inline Markdown: our own code spans, every other character escaped where
// Markdown or HTML would read it as markup. Line breaks become spaces.
std::string inline_markdown(const std::vector<Run>& runs);

// Escapes plain text so Markdown shows it literally (no emphasis, links, HTML, table cells or headings).
std::string escape_markdown(std::string_view text);

// A code span that shows `text` literally, whatever backticks it holds.
std::string code_span(std::string_view text);

// A fenced code block showing `code` literally; the fence is longer than any backtick run inside.
std::string code_fence(std::string_view code, std::string_view language);

// Renders blocks back to safe Markdown (paragraphs, lists, code, quotes); used for sections kept for the
// agent.
std::string render_markdown(const std::vector<const Block*>& blocks);

}  // namespace df::compiler
