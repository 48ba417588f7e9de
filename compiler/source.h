// A workflow source as the parser sees it: checked (size, UTF-8, NUL, control characters), BOM removed,
// line endings normalised to LF, with a line index so byte offsets become line:column positions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/workflow.h"
#include "compiler/diagnostics.h"

namespace df::compiler {

inline constexpr std::size_t kMaxSourceBytes = 1024 * 1024;

class SourceFile {
  public:
    // `name` is what diagnostics print (the path as given, or "<stdin>"). `raw` is the file's bytes.
    // Problems with the bytes themselves are reported into `diags`; the text is then unusable
    // (`usable()` is false) and parsing must not start.
    SourceFile(std::string name, std::string_view raw, Diagnostics& diags);

    const std::string& name() const { return name_; }
    const std::string& text() const { return text_; }
    bool usable() const { return usable_; }

    SourcePos position(std::size_t offset) const;
    std::string_view line_text(int line) const;  // without its newline
    int line_count() const { return static_cast<int>(line_starts_.size()); }
    std::size_t line_start(int line) const { return line_starts_[static_cast<std::size_t>(line - 1)]; }

  private:
    std::string name_;
    std::string text_;
    std::vector<std::size_t> line_starts_;
    bool usable_ = true;
};

}  // namespace df::compiler
