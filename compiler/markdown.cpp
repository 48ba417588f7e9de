// Reading Markdown: md4c's events into the block tree with source positions (parse_markdown), and the
// plain text of inline runs. Writing Markdown back (escaping, fences, rendering blocks) is
// markdown_write.cpp.
#include "compiler/markdown.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <md4c.h>

#include "common/text.h"

namespace df::compiler {
namespace {

constexpr std::size_t npos = std::string::npos;

// Decodes the HTML entities md4c hands over as MD_TEXT_ENTITY; unknown names stay as written.
std::string decode_entity(std::string_view e) {
    static const std::pair<std::string_view, std::string_view> named[] = {{"&amp;", "&"},
                                                                          {"&lt;", "<"},
                                                                          {"&gt;", ">"},
                                                                          {"&quot;", "\""},
                                                                          {"&apos;", "'"},
                                                                          {"&nbsp;", "\xC2\xA0"},
                                                                          {"&copy;", "\xC2\xA9"},
                                                                          {"&mdash;", "\xE2\x80\x94"},
                                                                          {"&ndash;", "\xE2\x80\x93"},
                                                                          {"&hellip;", "\xE2\x80\xA6"},
                                                                          {"&rarr;", "\xE2\x86\x92"}};
    for (const auto& [name, value] : named) {
        if (e == name) return std::string(value);
    }
    if (e.size() > 3 && e[1] == '#') {
        const bool hex = e[2] == 'x' || e[2] == 'X';
        unsigned long cp = 0;
        for (std::size_t i = hex ? 3 : 2; i + 1 < e.size(); ++i) {
            const char c = e[i];
            const int digit = (c >= '0' && c <= '9')   ? c - '0'
                              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                              : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                                       : 99;
            if (digit >= (hex ? 16 : 10) || cp > 0x10FFFF) return std::string(e);
            cp = cp * (hex ? 16 : 10) + static_cast<unsigned long>(digit);
        }
        // NUL, surrogates, out-of-range and control characters are not let in through the back door.
        if (cp < 0x20 || cp == 0x7F || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF ||
            (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)) {
            return "\xEF\xBF\xBD";
        }
        std::string out;
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
        return out;
    }
    return std::string(e);
}

std::string attribute_text(const MD_ATTRIBUTE& a) {
    // md4c leaves the arrays null for an empty attribute (the info string of an indented code block).
    if (a.size == 0 || !a.substr_offsets || !a.substr_types) return {};
    std::string out;
    for (int i = 0; a.substr_offsets[i] < a.size; ++i) {
        const auto begin = a.substr_offsets[i], end = a.substr_offsets[i + 1];
        const std::string_view piece(a.text + begin, end - begin);
        out += a.substr_types[i] == MD_TEXT_ENTITY ? decode_entity(piece) : std::string(piece);
    }
    return out;
}

// Builds the Block tree from md4c's callbacks.
class TreeBuilder {
  public:
    TreeBuilder(const SourceFile& source, Diagnostics& diags) : source_(source), diags_(diags) {
        root_ = std::make_unique<Block>();
        root_->type = BlockType::document;
        stack_.push_back(root_.get());
    }

    std::unique_ptr<Block> take() { return std::move(root_); }
    bool failed() const { return failed_; }

    int enter_block(MD_BLOCKTYPE type, void* detail) {
        if (type == MD_BLOCK_DOC) return 0;
        close_implicit_paragraph();
        if (static_cast<int>(stack_.size()) > kMaxNesting) {
            return fail(fmt::format("blocks are nested more than {} deep (the nesting limit)", kMaxNesting));
        }
        if (++nodes_ > kMaxNodes)
            return fail(fmt::format("more than {} blocks (the block limit)", kMaxNodes));
        auto block = std::make_unique<Block>();
        block->type = block_type(type);
        if (type == MD_BLOCK_H)
            block->level = static_cast<int>(static_cast<MD_BLOCK_H_DETAIL*>(detail)->level);
        if (type == MD_BLOCK_CODE) begin_code(*block, *static_cast<MD_BLOCK_CODE_DETAIL*>(detail));
        Block* raw = block.get();
        stack_.back()->children.push_back(std::move(block));
        stack_.push_back(raw);
        return 0;
    }

    int leave_block(MD_BLOCKTYPE type) {
        if (type == MD_BLOCK_DOC) return 0;
        close_implicit_paragraph();
        Block* block = stack_.back();
        if (block->type == BlockType::code) finish_code(*block);
        stack_.pop_back();
        note_offset(stack_.back(), block->offset);
        return 0;
    }

    int enter_span(MD_SPANTYPE type, void* detail) {
        switch (type) {
            case MD_SPAN_STRONG:
                ++strong_;
                break;
            case MD_SPAN_EM:
                ++emphasis_;
                break;
            case MD_SPAN_CODE:
                in_code_span_ = true, code_span_started_ = false;
                break;
            case MD_SPAN_A:
                link_ = attribute_text(static_cast<MD_SPAN_A_DETAIL*>(detail)->href);
                break;
            default:
                break;
        }
        return 0;
    }

    int leave_span(MD_SPANTYPE type) {
        switch (type) {
            case MD_SPAN_STRONG:
                --strong_;
                break;
            case MD_SPAN_EM:
                --emphasis_;
                break;
            case MD_SPAN_CODE:
                in_code_span_ = false;
                break;
            case MD_SPAN_A:
                link_.clear();
                break;
            default:
                break;
        }
        return 0;
    }

    int text(MD_TEXTTYPE type, const MD_CHAR* text, MD_SIZE size) {
        const std::string_view piece(text, size);
        const std::size_t offset = offset_of(text);
        Block* top = stack_.back();
        if (top->type == BlockType::code) {
            collect_code(piece, offset);
            return 0;
        }
        if (top->type != BlockType::paragraph && top->type != BlockType::heading)
            top = open_implicit_paragraph();
        note_offset(top, offset);
        if (type == MD_TEXT_SOFTBR || type == MD_TEXT_BR) {
            Run run;
            run.kind = type == MD_TEXT_BR ? Run::Kind::hardbreak : Run::Kind::softbreak;
            run.offset = offset;
            top->runs.push_back(std::move(run));
            return 0;
        }
        const std::string value = type == MD_TEXT_ENTITY ? decode_entity(piece) : std::string(piece);
        const Run::Kind kind = in_code_span_ ? Run::Kind::code : Run::Kind::text;
        // Pieces of one code span, or of one stretch of equally formatted text, become one run.
        if (!top->runs.empty()) {
            Run& last = top->runs.back();
            const bool same = last.kind == kind && last.strong == (strong_ > 0) &&
                              last.emphasis == (emphasis_ > 0) && last.link == link_;
            if (same && (kind == Run::Kind::text || code_span_started_)) {
                last.text += value;
                return 0;
            }
        }
        Run run;
        run.kind = kind;
        run.text = value;
        run.strong = strong_ > 0;
        run.emphasis = emphasis_ > 0;
        run.link = link_;
        run.offset = offset;
        top->runs.push_back(std::move(run));
        if (in_code_span_) code_span_started_ = true;
        return 0;
    }

  private:
    static BlockType block_type(MD_BLOCKTYPE t) {
        switch (t) {
            case MD_BLOCK_H:
                return BlockType::heading;
            case MD_BLOCK_P:
                return BlockType::paragraph;
            case MD_BLOCK_UL:
                return BlockType::bullet_list;
            case MD_BLOCK_OL:
                return BlockType::ordered_list;
            case MD_BLOCK_LI:
                return BlockType::list_item;
            case MD_BLOCK_CODE:
                return BlockType::code;
            case MD_BLOCK_QUOTE:
                return BlockType::quote;
            case MD_BLOCK_HTML:
                return BlockType::html;
            case MD_BLOCK_HR:
                return BlockType::rule;
            case MD_BLOCK_TABLE:
                return BlockType::table;
            default:
                return BlockType::other;
        }
    }

    int fail(std::string message) {
        if (!failed_) diags_.error(last_position(), std::move(message));
        failed_ = true;
        return 1;  // non-zero aborts md_parse
    }

    SourcePos last_position() const {
        return last_offset_ == npos ? SourcePos{1, 1} : source_.position(last_offset_);
    }

    std::size_t offset_of(const char* p) {
        const char* begin = source_.text().data();
        if (p >= begin && p < begin + source_.text().size()) {
            last_offset_ = static_cast<std::size_t>(p - begin);
            return last_offset_;
        }
        return npos;
    }

    static void note_offset(Block* block, std::size_t offset) {
        if (offset != npos && (block->offset == npos || offset < block->offset)) block->offset = offset;
    }

    Block* open_implicit_paragraph() {
        Block* top = stack_.back();
        if (!top->children.empty() && top->children.back()->type == BlockType::paragraph && implicit_open_) {
            stack_.push_back(top->children.back().get());
            return stack_.back();
        }
        auto p = std::make_unique<Block>();
        p->type = BlockType::paragraph;
        Block* raw = p.get();
        top->children.push_back(std::move(p));
        stack_.push_back(raw);
        implicit_open_ = true;
        return raw;
    }

    void close_implicit_paragraph() {
        if (implicit_open_) {
            Block* p = stack_.back();
            stack_.pop_back();
            note_offset(stack_.back(), p->offset);
            implicit_open_ = false;
        }
    }

    void begin_code(Block& block, const MD_BLOCK_CODE_DETAIL& d) {
        block.fenced = d.fence_char != 0;
        fence_char_ = d.fence_char;
        const std::string lang = attribute_text(d.lang);
        block.language = to_lower(lang);
        lang_offset_ = d.lang.size > 0 ? offset_of(d.lang.text) : npos;
        code_text_.clear();
        code_lines_ = 0;
        first_code_offset_ = npos;
        lines_before_first_ = 0;
    }

    void collect_code(std::string_view piece, std::size_t offset) {
        if (offset != npos && first_code_offset_ == npos) {
            first_code_offset_ = offset;
            lines_before_first_ = code_lines_;
        }
        code_text_ += piece;
        if (piece == "\n") ++code_lines_;
    }

    void finish_code(Block& block) {
        block.code = code_text_;  // md4c's view: right unless tabs were expanded
        block.offset = lang_offset_ != npos ? lang_offset_ : first_code_offset_;
        if (!block.fenced || inside_quote()) return;
        int fence_line = 0;
        if (lang_offset_ != npos) {
            fence_line = source_.position(lang_offset_).line;
        } else if (first_code_offset_ != npos) {
            fence_line = source_.position(first_code_offset_).line - lines_before_first_ - 1;
        } else {
            return;  // only blank lines: md4c's text is exact
        }
        std::string sliced;
        if (slice_fenced_code(fence_line, sliced) &&
            collapse_whitespace(sliced) == collapse_whitespace(code_text_)) {
            block.code = std::move(sliced);
        }
    }

    bool inside_quote() const {
        return std::any_of(stack_.begin(), stack_.end(),
                           [](const Block* b) { return b->type == BlockType::quote; });
    }

    // The content lines of a fenced block, taken from the source with the container's indentation removed
    // (up to the fence's own column, as CommonMark does), tabs kept.
    bool slice_fenced_code(int fence_line, std::string& out) const {
        if (fence_line < 1 || fence_line + code_lines_ > source_.line_count()) return false;
        const std::string_view fence = source_.line_text(fence_line);
        const auto at = fence.find(std::string(3, fence_char_));
        if (at == std::string_view::npos) return false;
        int fence_column = 0;
        for (std::size_t i = 0; i < at; ++i)
            fence_column = fence[i] == '\t' ? (fence_column / 4 + 1) * 4 : fence_column + 1;
        for (int k = 1; k <= code_lines_; ++k) {
            std::string_view line = source_.line_text(fence_line + k);
            int column = 0;
            std::size_t i = 0;
            while (i < line.size() && column < fence_column && (line[i] == ' ' || line[i] == '\t')) {
                const int next = line[i] == '\t' ? (column / 4 + 1) * 4 : column + 1;
                if (next > fence_column) break;  // a tab reaching past the strip point stays
                column = next;
                ++i;
            }
            out += line.substr(i);
            out += '\n';
        }
        return true;
    }

    const SourceFile& source_;
    Diagnostics& diags_;
    std::unique_ptr<Block> root_;
    std::vector<Block*> stack_;
    bool implicit_open_ = false;
    bool failed_ = false;
    std::size_t nodes_ = 0;
    std::size_t last_offset_ = npos;
    int strong_ = 0, emphasis_ = 0;
    bool in_code_span_ = false, code_span_started_ = false;
    std::string link_;
    // The code block being read.
    char fence_char_ = 0;
    std::size_t lang_offset_ = npos, first_code_offset_ = npos;
    int code_lines_ = 0, lines_before_first_ = 0;
    std::string code_text_;
};

}  // namespace

std::unique_ptr<Block> parse_markdown(const SourceFile& source, Diagnostics& diags) {
    TreeBuilder builder(source, diags);
    MD_PARSER parser{};
    parser.abi_version = 0;
    // Raw HTML is read as text, so it is escaped like any other text when it reaches a generated file.
    parser.flags = MD_FLAG_NOHTML;
    parser.enter_block = [](MD_BLOCKTYPE t, void* d, void* u) {
        return static_cast<TreeBuilder*>(u)->enter_block(t, d);
    };
    parser.leave_block = [](MD_BLOCKTYPE t, void*, void* u) {
        return static_cast<TreeBuilder*>(u)->leave_block(t);
    };
    parser.enter_span = [](MD_SPANTYPE t, void* d, void* u) {
        return static_cast<TreeBuilder*>(u)->enter_span(t, d);
    };
    parser.leave_span = [](MD_SPANTYPE t, void*, void* u) {
        return static_cast<TreeBuilder*>(u)->leave_span(t);
    };
    parser.text = [](MD_TEXTTYPE t, const MD_CHAR* s, MD_SIZE n, void* u) {
        return static_cast<TreeBuilder*>(u)->text(t, s, n);
    };
    const std::string& text = source.text();
    md_parse(text.data(), static_cast<MD_SIZE>(text.size()), &parser, &builder);
    return builder.take();
}

std::string plain_text(const std::vector<Run>& runs) {
    std::string out;
    for (const auto& r : runs) {
        out += r.kind == Run::Kind::text || r.kind == Run::Kind::code ? r.text : std::string(" ");
    }
    return collapse_whitespace(out);
}

}  // namespace df::compiler
