// Compiler diagnostics: `file:line:col: error: message`, the source line and a caret, like gcc and clang.
// Every problem of a file is collected, then printed together.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/workflow.h"

namespace df::compiler {

class SourceFile;

enum class Severity { warning, error };

struct Diagnostic {
    Severity severity = Severity::error;
    SourcePos pos;  // line 0: about the whole file
    std::string message;
};

class Diagnostics {
  public:
    void error(SourcePos pos, std::string message);
    void warning(SourcePos pos, std::string message);

    const std::vector<Diagnostic>& all() const { return items_; }
    bool has_errors() const;
    std::size_t count(Severity severity) const;
    // --strict: every warning becomes an error.
    void promote_warnings();

  private:
    std::vector<Diagnostic> items_;
};

// Renders one diagnostic with the source line and a caret under the column. `color` adds ANSI colours.
std::string format_diagnostic(const Diagnostic& d, const SourceFile& source, bool color);

std::string_view to_string(Severity severity);

}  // namespace df::compiler
