#include "tests/unit/support.h"

#include <catch2/catch.hpp>

namespace df::test {

std::string Parsed::rendered() const {
    std::string out;
    for (const auto& d : diags->all()) out += compiler::format_diagnostic(d, *source, false);
    return out;
}

bool Parsed::has(compiler::Severity severity, std::string_view text) const {
    for (const auto& d : diags->all()) {
        if (d.severity == severity && d.message.find(text) != std::string::npos) return true;
    }
    return false;
}

const compiler::Diagnostic& Parsed::find(std::string_view text) const {
    for (const auto& d : diags->all()) {
        if (d.message.find(text) != std::string::npos) return d;
    }
    FAIL("no diagnostic contains '" << text << "'; got:\n" << rendered());
    throw std::logic_error("unreachable");
}

Parsed parse(std::string_view markdown, std::string name) {
    Parsed p;
    p.source = std::make_unique<compiler::SourceFile>(std::move(name), markdown, *p.diags);
    if (p.source->usable()) p.wf = compiler::parse_workflow(*p.source, *p.diags);
    return p;
}

std::string workflow(std::string_view sections) {
    std::string text = "# Workflow: Test Flow\n\n## Description\nA workflow for tests.\n\n";
    text += sections;
    if (sections.find("## Steps") == std::string_view::npos)
        text += "\n\n## Steps\n1. **Do it**\n   - Do the thing\n";
    return text;
}

std::string source_dir() {
    return DF_SOURCE_DIR;
}

}  // namespace df::test
