// Diagnostics: positions, the source line with a caret, and what the source checks refuse or accept.
#include <catch2/catch.hpp>

#include "tests/unit/support.h"

using namespace df;
using namespace df::compiler;
using df::test::parse;
using df::test::workflow;

TEST_CASE("a diagnostic prints file:line:col, the source line and a caret under the column") {
    const auto p = parse(workflow("## Inputs\n- `branch`: one\n- `branch`: two\n"), "flows/deploy.md");
    const auto& d = p.find("duplicate input");
    CHECK(d.pos.line == 8);
    CHECK(d.pos.column == 4);
    CHECK(format_diagnostic(d, *p.source, false) ==
          "flows/deploy.md:8:4: error: duplicate input 'branch' (first declared on line 7)\n"
          "    8 | - `branch`: two\n"
          "      |    ^\n");
}

TEST_CASE("the caret stays under its column after tabs and multi-byte characters") {
    Diagnostics diags;
    const SourceFile source("t.md", "\tä€ x\n", diags);
    const Diagnostic d{Severity::warning, {1, 8}, "here"};  // byte column of 'x'
    CHECK(format_diagnostic(d, source, false) == "t.md:1:8: warning: here\n    1 | \tä€ x\n      | \t   ^\n");
}

TEST_CASE("a diagnostic about the whole file has no line; colours only on request") {
    Diagnostics diags;
    const SourceFile source("t.md", "x\n", diags);
    CHECK(format_diagnostic({Severity::error, {}, "too big"}, source, false) == "t.md: error: too big\n");
    const std::string coloured = format_diagnostic({Severity::error, {1, 1}, "bad"}, source, true);
    CHECK(coloured.find("\x1b[1;31merror") != std::string::npos);
}

TEST_CASE("all problems of a file are collected; --strict turns warnings into errors") {
    const auto p = parse(workflow("## Inputs\n- `PATH`: x\n- `HOME`: y\n\n## Mystery\ntext\n"));
    CHECK(p.diags->count(Severity::error) == 2);
    CHECK(p.diags->count(Severity::warning) == 1);
    p.diags->promote_warnings();
    CHECK(p.diags->count(Severity::error) == 3);
    CHECK(p.diags->count(Severity::warning) == 0);
}

TEST_CASE("invalid UTF-8 is refused with its byte offset, and printed safely") {
    const auto p = parse("# Workflow: X\n\nbad \xC3\x28 here\n", "u.md");
    REQUIRE_FALSE(p.source->usable());
    const auto& d = p.find("invalid UTF-8 at byte offset 19: the file must be UTF-8 text");
    CHECK(d.pos.line == 3);
    CHECK(d.pos.column == 5);
    CHECK(p.rendered().find("    3 | bad ?( here\n") != std::string::npos);
    for (const char* bad : {"\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x82", "\xFF"}) {
        INFO(bad);
        CHECK(parse(std::string("# Workflow: ") + bad + "\n").has_error("invalid UTF-8 at byte offset 12"));
    }
}

TEST_CASE("NUL bytes and control characters are refused, every one of them") {
    const auto p = parse(std::string("# Workflow: A\0B\n\x1b[31m\n\x7f", 23));
    CHECK(p.has_error("NUL byte at byte offset 13"));
    CHECK(p.has_error("control character U+001B at byte offset 16"));
    CHECK(p.has_error("control character U+007F at byte offset 22"));
    CHECK(p.diags->count(Severity::error) == 3);
    CHECK(parse("# Workflow: \xE2\x80\xAE"
                "evil\n")
              .has_error("bidirectional control character at byte offset 12"));
}

TEST_CASE("a byte-order mark and CRLF or CR line ends are accepted and read like LF") {
    const std::string lf = workflow("## Steps\n### 1. Run\n```sh\necho a\necho b\n```\n");
    std::string crlf, cr;
    for (const char c : lf) {
        crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
        cr += c == '\n' ? '\r' : c;
    }
    const auto a = parse(lf), b = parse("\xEF\xBB\xBF" + crlf), c = parse(cr);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    REQUIRE(c.ok());
    CHECK(b.wf == a.wf);
    CHECK(c.wf == a.wf);
    CHECK(b.wf.steps[0].commands == "echo a\necho b\n");
    // Offsets in messages still count the BOM's bytes.
    CHECK(parse("\xEF\xBB\xBF# Workflow: \xFF\n").has_error("invalid UTF-8 at byte offset 15"));
}

TEST_CASE("size and nesting limits are errors that name the limit") {
    const auto big = parse(std::string(kMaxSourceBytes + 1, 'a'));
    CHECK(big.has_error("file is 1048577 bytes, over the limit of 1048576 bytes (1 MiB)"));
    std::string deep = "# Workflow: Deep\n\n## Steps\n1. **Go**\n";
    for (int i = 0; i < 20; ++i) deep += "   " + std::string(static_cast<std::size_t>(i), '>') + " q\n";
    deep += std::string(40, '>') + " deepest\n";
    CHECK(parse(deep).has_error("blocks are nested more than 16 deep (the nesting limit)"));
    std::string steps = "# Workflow: Many\n\n## Steps\n";
    for (int i = 1; i <= 1001; ++i) steps += "1. **S" + std::to_string(i) + "**\n";
    CHECK(parse(steps).has_error("more than 1000 steps (the step limit)"));
}
