// How the scanner reads shell text (see shell_vars.h for what it reports):
//   - a stack of quoting contexts: top level, "double quotes", $(command substitution) and ${parameter};
//     'single quotes' and $'…' are skipped whole, `#` at the start of a word starts a comment;
//   - the words of each simple command, only to notice assignments: `name=` while the command is still
//     at its start, the words after a declaring builtin (`local x`, `read -r line`), the word after
//     `for`/`select`, the name after `printf -v`, and bare names inside `(( … ))`;
//   - here-documents: after `<<WORD` the body lines up to WORD are skipped when WORD is quoted, and read for
//     `$name`/`${name}` otherwise.
// Backquotes are treated as plain characters and `$(( … ))` is skipped apart from its `$name` reads.
#include "compiler/shell_vars.h"

#include <algorithm>
#include <initializer_list>

namespace df::compiler {
namespace {

bool ident_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool ident_char(char c) {
    return ident_start(c) || (c >= '0' && c <= '9');
}

bool is_ident(std::string_view w) {
    if (w.empty() || !ident_start(w[0])) return false;
    for (const char c : w) {
        if (!ident_char(c)) return false;
    }
    return true;
}

bool one_of(std::string_view w, std::initializer_list<std::string_view> words) {
    for (const auto x : words) {
        if (w == x) return true;
    }
    return false;
}

class Scanner {
  public:
    explicit Scanner(std::string_view code) : s_(code) {}

    ShellVars run() {
        while (i_ < s_.size()) {
            switch (frames_.back().ctx) {
                case Ctx::dquote:
                    in_dquote();
                    break;
                case Ctx::param:
                    in_param();
                    break;
                default:
                    in_command();
                    break;
            }
        }
        return std::move(out_);
    }

  private:
    enum class Ctx { top, dquote, subst, param };
    enum class Mode { none, declare, for_var, printf, printf_v };
    // A context, and the command-word state of the context it interrupted (restored when it closes).
    struct Frame {
        Ctx ctx = Ctx::top;
        int depth = 0;  // subst: parentheses opened inside it
        std::string word;
        bool word_plain = true, cmd_start = true;
        Mode mode = Mode::none;
    };
    struct Heredoc {
        std::string delimiter;
        bool quoted = false, strip_tabs = false;
    };

    char at(std::size_t k) const { return k < s_.size() ? s_[k] : '\0'; }

    void newline() {  // s_[i_] is '\n'
        ++i_;
        ++line_;
        line_start_ = i_;
    }

    void push(Ctx ctx) {
        Frame f;
        f.ctx = ctx;
        f.word = std::move(word_);
        f.word_plain = word_plain_;
        f.cmd_start = cmd_start_;
        f.mode = mode_;
        frames_.push_back(std::move(f));
        word_.clear();
        word_plain_ = true;
        cmd_start_ = true;
        mode_ = Mode::none;
    }

    void pop() {
        if (frames_.size() == 1) return;
        Frame& f = frames_.back();
        word_ = std::move(f.word);
        word_plain_ = f.word_plain;
        cmd_start_ = f.cmd_start;
        mode_ = f.mode;
        frames_.pop_back();
    }

    void skip_single_quoted() {  // s_[i_] is the opening quote
        ++i_;
        while (i_ < s_.size() && s_[i_] != '\'') s_[i_] == '\n' ? newline() : void(++i_);
        ++i_;
    }

    void skip_ansi_c() {  // s_[i_] is the `$` of $'…'
        i_ += 2;
        while (i_ < s_.size() && s_[i_] != '\'') {
            if (s_[i_] == '\\') ++i_;
            if (at(i_) == '\n') {
                newline();
            } else {
                ++i_;
            }
        }
        ++i_;
    }

    void read(std::string name, std::size_t dollar) {
        out_.reads.push_back({std::move(name), line_, static_cast<int>(dollar - line_start_)});
    }

    std::string ident_at(std::size_t k) const {
        std::size_t e = k;
        while (e < s_.size() && ident_char(s_[e])) ++e;
        return std::string(s_.substr(k, e - k));
    }

    // s_[i_] is '$'. `nested` false inside here-document bodies: a ${…} is read there without a frame.
    void dollar(bool nested = true) {
        const std::size_t start = i_;
        const char n = at(i_ + 1);
        if (n == '{') {
            parameter(start, nested);
        } else if (n == '(' && at(i_ + 2) == '(') {
            i_ += 3;
            arithmetic(false);
        } else if (n == '(' && nested) {
            i_ += 2;
            push(Ctx::subst);
        } else if (n == '\'' && nested && frames_.back().ctx != Ctx::dquote) {
            skip_ansi_c();
        } else if (ident_start(n)) {
            std::string name = ident_at(i_ + 1);
            i_ += 1 + name.size();
            read(std::move(name), start);
        } else {
            i_ += (n != '\0' && n != '\n' && n != '"' && n != '(') ? 2 : 1;  // $$, $?, $1, $#, …
        }
    }

    // ${name}, ${name:-x}, ${#name}, ${!name}, ${name[…]}, ${1}: decides whether it is a read, then scans
    // the rest (a default may read other variables) in a parameter frame.
    void parameter(std::size_t start, bool nested) {
        std::size_t k = i_ + 2;
        bool length = false;
        if (at(k) == '#' && ident_start(at(k + 1))) {
            length = true;
            ++k;
        }
        if (ident_start(at(k)) && !(at(i_ + 2) == '!')) {
            const std::string name = ident_at(k);
            const std::size_t after = k + name.size();
            const char op = at(after), op2 = at(after + 1);
            const bool assigns = (op == '=') || (op == ':' && op2 == '=');
            const bool guarded =
                assigns || op == '-' || op == '+' || (op == ':' && (op2 == '-' || op2 == '+'));
            if (assigns) out_.assigned.insert(name);
            if (length || !guarded) read(name, start);
            k = after;
        }
        if (!nested) {
            while (i_ < s_.size() && s_[i_] != '}' && s_[i_] != '\n') ++i_;
            if (at(i_) == '}') ++i_;
            return;
        }
        push(Ctx::param);
        i_ = k;
    }

    // Inside (( … )) or $(( … )): `$name` reads are recorded; bare names count as assigned only in the
    // (( … )) command, where `i++` and `n = 0` live.
    void arithmetic(bool assigns) {
        int depth = 0;
        while (i_ < s_.size()) {
            const char c = s_[i_];
            if (c == '(') {
                ++depth, ++i_;
            } else if (c == ')') {
                if (depth == 0 && at(i_ + 1) == ')') {
                    i_ += 2;
                    return;
                }
                --depth, ++i_;
            } else if (c == '$') {
                dollar(false);
            } else if (c == '\n') {
                newline();
            } else if (ident_start(c) && (i_ == 0 || !ident_char(s_[i_ - 1]))) {
                std::string name = ident_at(i_);
                i_ += name.size();
                if (assigns) out_.assigned.insert(std::move(name));
            } else {
                ++i_;
            }
        }
    }

    void in_dquote() {
        const char c = s_[i_];
        if (c == '"') {
            ++i_;
            pop();
        } else if (c == '\\') {
            i_ += 2;
        } else if (c == '$') {
            dollar();
        } else if (c == '\n') {
            newline();
        } else {
            ++i_;
        }
    }

    void in_param() {
        const char c = s_[i_];
        if (c == '}') {
            ++i_;
            pop();
        } else if (c == '"') {
            ++i_;
            push(Ctx::dquote);
        } else if (c == '\'') {
            skip_single_quoted();
        } else if (c == '\\') {
            i_ += 2;
        } else if (c == '$') {
            dollar();
        } else if (c == '\n') {
            newline();
        } else {
            ++i_;
        }
    }

    // Assignment words count while the command has not started yet (`a=1 b=2 cmd`) and in declaring mode.
    void end_word() {
        if (word_.empty()) return;
        const std::string w = std::move(word_);
        word_.clear();
        const bool plain = word_plain_;
        word_plain_ = true;
        if (mode_ == Mode::declare) {
            if (plain && is_ident(w)) out_.assigned.insert(w);
            return;
        }
        if (mode_ == Mode::for_var) {
            if (is_ident(w)) out_.assigned.insert(w);
            mode_ = Mode::none;
            return;
        }
        if (mode_ == Mode::printf || mode_ == Mode::printf_v) {
            if (mode_ == Mode::printf_v && is_ident(w)) out_.assigned.insert(w);
            mode_ = w == "-v" && mode_ == Mode::printf ? Mode::printf_v : Mode::none;
            return;
        }
        if (!cmd_start_) return;
        if (w.find('=') != std::string::npos) return;  // an assignment prefix: the command has not started
        if (one_of(w, {"if", "then", "else", "elif", "do", "while", "until", "!", "{", "}", "time", "fi",
                       "done", "esac", "exec", "command", "builtin", "nohup"})) {
            return;
        }
        cmd_start_ = false;
        if (one_of(w, {"local", "declare", "typeset", "export", "readonly", "read", "mapfile", "readarray",
                       "getopts", "let"})) {
            mode_ = Mode::declare;
        } else if (w == "for" || w == "select") {
            mode_ = Mode::for_var;
        } else if (w == "printf") {
            mode_ = Mode::printf;
        }
    }

    void end_command() {
        end_word();
        cmd_start_ = true;
        mode_ = Mode::none;
    }

    // `name=`, `name+=` or `name[i]=` while an assignment can appear.
    void equals_sign() {
        if (word_plain_ && (cmd_start_ || mode_ == Mode::declare)) {
            std::string_view name = word_;
            if (!name.empty() && name.back() == '+') name.remove_suffix(1);
            if (const auto bracket = name.find('['); bracket != std::string_view::npos)
                name = name.substr(0, bracket);
            if (is_ident(name)) out_.assigned.insert(std::string(name));
        }
        word_ += '=';
        word_plain_ = false;
    }

    void heredoc_operator() {  // s_[i_] is the first '<' of `<<`
        end_word();
        i_ += 2;
        Heredoc h;
        if (at(i_) == '-') h.strip_tabs = true, ++i_;
        while (at(i_) == ' ' || at(i_) == '\t') ++i_;
        while (i_ < s_.size() && std::string_view(" \t\n;|&<>()").find(s_[i_]) == std::string_view::npos) {
            const char c = s_[i_++];
            if (c == '\'' || c == '"' || c == '\\') {
                h.quoted = true;
            } else {
                h.delimiter += c;
            }
        }
        if (!h.delimiter.empty()) heredocs_.push_back(std::move(h));
    }

    // At the start of a line after `<<WORD`: the bodies, in order.
    void heredoc_bodies() {
        for (const Heredoc& h : heredocs_) {
            while (i_ < s_.size()) {
                const std::size_t eol = std::min(s_.find('\n', i_), s_.size());
                std::string_view text = s_.substr(i_, eol - i_);
                if (h.strip_tabs) {
                    while (!text.empty() && text.front() == '\t') text.remove_prefix(1);
                }
                if (text == h.delimiter) {
                    i_ = eol;
                    if (i_ < s_.size()) newline();
                    break;
                }
                while (!h.quoted && i_ < eol) {
                    if (s_[i_] == '\\') {
                        i_ += 2;
                    } else if (s_[i_] == '$') {
                        dollar(false);
                    } else {
                        ++i_;
                    }
                }
                i_ = eol;
                if (i_ < s_.size()) newline();
            }
        }
        heredocs_.clear();
    }

    // One switch over the characters that change the scanner's state in command context (quotes,
    // expansions, comments, heredocs, brackets), as a shell reads them. Longer than 80 lines on purpose:
    // split up, the cases would share the cursor and the frame stack through many small members.
    void in_command() {
        const char c = s_[i_];
        Frame& frame = frames_.back();
        switch (c) {
            case ' ':
            case '\t':
                end_word();
                ++i_;
                return;
            case '\n':
                end_command();
                newline();
                if (!heredocs_.empty()) heredoc_bodies();
                return;
            case ';':
            case '&':
            case '|':
                end_command();
                ++i_;
                return;
            case '(':
                if (at(i_ + 1) == '(' && word_.empty() && (cmd_start_ || mode_ == Mode::for_var)) {
                    i_ += 2;
                    arithmetic(true);
                    mode_ = Mode::none;
                    return;
                }
                if (!word_.empty() && word_.back() == '=') {  // arr=( … ): the words are values
                    word_ += '(';
                    ++i_;
                    return;
                }
                end_command();
                if (frame.ctx == Ctx::subst) ++frame.depth;
                ++i_;
                return;
            case ')':
                end_command();
                ++i_;
                if (frame.ctx == Ctx::subst) {
                    if (frame.depth == 0) {
                        pop();
                    } else {
                        --frame.depth;
                    }
                }
                return;
            case '<':
                if (at(i_ + 1) == '<' && at(i_ + 2) != '<') return heredoc_operator();
                end_word();
                i_ += at(i_ + 1) == '<' ? 3 : 1;
                return;
            case '>':
                end_word();
                ++i_;
                return;
            case '#':
                if (word_.empty() && word_plain_) {
                    while (i_ < s_.size() && s_[i_] != '\n') ++i_;
                    return;
                }
                break;
            case '\'':
                word_plain_ = false;
                word_ += '\'';
                skip_single_quoted();
                return;
            case '"':
                word_plain_ = false;
                word_ += '"';
                ++i_;
                push(Ctx::dquote);
                return;
            case '\\':
                word_plain_ = false;
                if (at(i_ + 1) == '\n') {
                    ++i_;
                    newline();
                } else {
                    i_ += 2;
                }
                return;
            case '$':
                word_plain_ = false;
                word_ += '$';
                dollar();
                return;
            case '=':
                equals_sign();
                ++i_;
                return;
            default:
                break;
        }
        word_ += c;
        ++i_;
    }

    std::string_view s_;
    std::size_t i_ = 0, line_start_ = 0;
    int line_ = 0;
    std::vector<Frame> frames_{Frame{}};
    std::vector<Heredoc> heredocs_;
    std::string word_;
    bool word_plain_ = true, cmd_start_ = true;
    Mode mode_ = Mode::none;
    ShellVars out_;
};

}  // namespace

ShellVars scan_shell_vars(std::string_view code) {
    return Scanner(code).run();
}

}  // namespace df::compiler
