// The builder's own logic without a browser: how its forms edit the Markdown, the token and Host checks
// (which files it serves: builder_paths_test.cpp). The edits are checked by the text they write and by the
// compiler reading it back.
#include <catch2/catch.hpp>

#include "compiler/builder/markdown_edit.h"
#include "compiler/builder/server.h"
#include "compiler/builder/step_forms.h"
#include "compiler/builder/workspace.h"
#include "tests/unit/support.h"

using namespace df;
using namespace df::compiler;
using namespace df::compiler::builder;

namespace {

std::string must(const Result<std::string>& r) {
    if (!r) FAIL("edit failed: " << r.error().message);
    return *r;
}

}  // namespace

TEST_CASE("builder edits: a workflow built from empty with the forms compiles") {
    std::string text = must(new_workflow("Say Hello", "Greets someone."));
    CHECK(text == "# Workflow: Say Hello\n\n## Description\nGreets someone.\n");
    text = must(add_step(text, "Greet", "", "echo \"hello $who\""));
    text = must(add_bullet(text, Section::inputs, must(input_bullet({"who", "Whom to greet", "world"}))));
    text = must(add_bullet(text, Section::guardrails, "Timeout: 5 minutes"));
    text = must(add_bullet(text, Section::triggers, "http"));
    text = must(add_step(text, "Report", "Tell the operator whom we greeted", ""));
    CHECK(text ==
          "# Workflow: Say Hello\n\n## Description\nGreets someone.\n\n"
          "## Inputs\n- `who`: Whom to greet (default: world)\n\n"
          "## Steps\n1. **Greet**\n   ```sh\n   echo \"hello $who\"\n   ```\n\n"
          "2. **Report**\n   - Tell the operator whom we greeted\n\n"
          "## Guardrails\n- Timeout: 5 minutes\n\n"
          "## Triggers\n- http\n");
    const auto parsed = df::test::parse(text);
    INFO(parsed.rendered());
    CHECK(parsed.ok());
    REQUIRE(parsed.wf.steps.size() == 2);
    CHECK(parsed.wf.inputs.size() == 1);
}

TEST_CASE("builder edits: steps are removed, moved and renumbered") {
    const std::string text =
        "# Workflow: X\n\n## Steps\n1. **A**\n   - do a\n\n2. **B**\n   ```sh\n   true\n   ```\n\n3. **C**\n "
        "  - do c\n"
        "\n## Outputs\n- `o`: out\n";
    CHECK(must(move_item(text, Section::steps, 2, -2)) ==
          "# Workflow: X\n\n## Steps\n1. **C**\n   - do c\n\n2. **B**\n   ```sh\n   true\n   ```\n\n3. "
          "**A**\n   - do a\n"
          "\n## Outputs\n- `o`: out\n");
    CHECK(must(remove_item(text, Section::steps, 0)) ==
          "# Workflow: X\n\n## Steps\n1. **B**\n   ```sh\n   true\n   ```\n\n2. **C**\n   - do c\n"
          "\n## Outputs\n- `o`: out\n");
    CHECK(must(remove_item(text, Section::steps, 2)) ==
          "# Workflow: X\n\n## Steps\n1. **A**\n   - do a\n\n2. **B**\n   ```sh\n   true\n   ```\n"
          "\n## Outputs\n- `o`: out\n");
    CHECK_FALSE(move_item(text, Section::steps, 0, -1));
    // The last item of a section takes the section with it.
    CHECK(must(remove_item(text, Section::outputs, 0)) ==
          "# Workflow: X\n\n## Steps\n1. **A**\n   - do a\n\n2. **B**\n   ```sh\n   true\n   ```\n\n3. "
          "**C**\n   - do c\n");
    CHECK_FALSE(remove_item(text, Section::steps, 3));
    CHECK_FALSE(remove_item(text, Section::inputs, 0));  // no such section
}

TEST_CASE("builder edits: bullets are added, moved and removed in their section") {
    const std::string text = "# Workflow: X\n\n## Guardrails\n- One\n- Two\n\n## Triggers\n- http\n";
    CHECK(must(add_bullet(text, Section::guardrails, "Three")) ==
          "# Workflow: X\n\n## Guardrails\n- One\n- Two\n- Three\n\n## Triggers\n- http\n");
    CHECK(must(move_item(text, Section::guardrails, 0, 1)) ==
          "# Workflow: X\n\n## Guardrails\n- Two\n- One\n\n## Triggers\n- http\n");
    CHECK(must(remove_item(text, Section::guardrails, 1)) ==
          "# Workflow: X\n\n## Guardrails\n- One\n\n## Triggers\n- http\n");
    // A new section goes where people put it: Outputs before Guardrails; Requires at the end.
    CHECK(must(add_bullet(text, Section::outputs, "`o`: out")) ==
          "# Workflow: X\n\n## Outputs\n- `o`: out\n\n## Guardrails\n- One\n- Two\n\n## Triggers\n- http\n");
    CHECK(
        must(add_bullet(text, Section::prerequisites, "bins: git")) ==
        "# Workflow: X\n\n## Guardrails\n- One\n- Two\n\n## Triggers\n- http\n\n## Requires\n- bins: git\n");
    // Synonyms are the compiler's: `## Policies` is the guardrails section.
    CHECK(must(add_bullet("# Workflow: X\n\n## Policies\n- One\n", Section::guardrails, "Two")) ==
          "# Workflow: X\n\n## Policies\n- One\n- Two\n");
}

TEST_CASE("builder edits: a value that spans lines is refused, not written") {
    CHECK_FALSE(add_bullet("# Workflow: X\n", Section::guardrails, "a\n## Steps"));
    CHECK_FALSE(add_step("# Workflow: X\n", "T\nx", "", ""));
    CHECK_FALSE(add_step("# Workflow: X\n", "T", "", "echo\n```\n## Evil"));
    CHECK_FALSE(set_step_field("# Workflow: X\n\n## Steps\n1. **A**\n", 0, "Needs", "a\nb"));
    CHECK_FALSE(input_bullet({"Who", "", ""}));
    CHECK_FALSE(input_bullet({"who`x", "", ""}));
    CHECK_FALSE(output_bullet("two words", ""));
    CHECK_FALSE(add_bullet("# Workflow: X\n", Section::steps, "x"));
}

TEST_CASE("builder edits: Needs and Uses bullets are set, replaced and removed inside a step") {
    const std::string text = "# Workflow: X\n\n## Steps\n1. **A**\n   - do a\n\n2. **B**\n   Prose of b.\n";
    const std::string needs = must(set_step_field(text, 1, "Needs", "a"));
    CHECK(needs ==
          "# Workflow: X\n\n## Steps\n1. **A**\n   - do a\n\n2. **B**\n   - Needs: a\n\n   Prose of b.\n");
    const std::string both = must(set_step_field(needs, 1, "uses", "child.md"));
    CHECK(both ==
          "# Workflow: X\n\n## Steps\n1. **A**\n   - do a\n\n2. **B**\n   - Needs: a\n   - Uses: "
          "child.md\n\n   Prose of b.\n");
    CHECK(must(set_step_field(both, 1, "Needs", "none")).find("   - Needs: none\n") != std::string::npos);
    CHECK(must(set_step_field(both, 1, "Needs", "")) ==
          "# Workflow: X\n\n## Steps\n1. **A**\n   - do a\n\n2. **B**\n   - Uses: child.md\n\n   Prose of "
          "b.\n");
    CHECK_FALSE(set_step_field(text, 0, "Shell", "x"));
    const auto sections = outline(both);
    REQUIRE(sections[1].key == "steps");
    REQUIRE(sections[1].items.size() == 2);
    CHECK(sections[1].items[1].text == "B");
    CHECK(sections[1].items[1].fields ==
          std::vector<std::pair<std::string, std::string>>{{"Needs", "a"}, {"Uses", "child.md"}});
}

TEST_CASE("builder edits: headings inside code blocks are not sections") {
    const std::string text = "# Workflow: X\n\n## Steps\n1. **A**\n   ```sh\n## Guardrails\n   ```\n";
    CHECK(must(add_bullet(text, Section::guardrails, "Two")) == text + "\n## Guardrails\n- Two\n");
}

TEST_CASE("builder server: tokens come from the kernel and compare in full") {
    const auto a = new_token(), b = new_token();
    REQUIRE(a);
    CHECK(a->size() == 64);
    CHECK(*a != *b);
    CHECK(same_token(*a, *a));
    CHECK_FALSE(same_token(a->substr(0, 63), *a));
    CHECK_FALSE(same_token(*a + "0", *a));
    CHECK_FALSE(same_token("", ""));
}

TEST_CASE("builder server: only its own Host is answered (DNS rebinding)") {
    CHECK(host_allowed("127.0.0.1:8080", 8080));
    CHECK(host_allowed("localhost:8080", 8080));
    CHECK_FALSE(host_allowed("evil.example:8080", 8080));
    CHECK_FALSE(host_allowed("127.0.0.1:8081", 8080));
    CHECK_FALSE(host_allowed("", 8080));
}

TEST_CASE("builder save: a file's line endings and final line break are kept; the page gets LF") {
    CHECK(line_style_of("a\r\nb\r\n").crlf);
    CHECK_FALSE(line_style_of("a\nb\r\nc\n").crlf);  // mostly LF
    CHECK(line_style_of("a\r\nb").final_newline == false);
    CHECK(line_style_of("").final_newline);
    CHECK(with_lf("a\r\nb\r\n\r") == "a\nb\n\r");  // a lone CR is text, not a line ending
    CHECK(in_line_style("a\nb\n", {true, true}) == "a\r\nb\r\n");
    CHECK(in_line_style("a\nb\n\n", {true, false}) == "a\r\nb");
    CHECK(in_line_style("a\nb", {false, true}) == "a\nb\n");
    CHECK(in_line_style("", {false, true}) == "");
}

TEST_CASE("builder forms: Needs edges are added and removed one id at a time") {
    const std::string text =
        "# Workflow: X\n\n## Steps\n1. **Build**\n   - Needs: none\n2. **Lint**\n"
        "   - Lint it\n3. **Ship**\n   - Ship it\n";
    CHECK(needed_ids("build and lint, test") == std::vector<std::string>{"build", "lint", "test"});
    CHECK(needed_ids("none").empty());
    std::string edited = must(add_need(text, 2, "build"));
    edited = must(add_need(edited, 2, "lint"));
    CHECK(edited.find("3. **Ship**\n   - Needs: build, lint\n   - Ship it\n") != std::string::npos);
    CHECK(must(add_need(text, 0, "lint")).find("   - Needs: lint\n") != std::string::npos);  // none gives way
    CHECK_FALSE(add_need(edited, 2, "Build"));  // already there (ids ignore case)
    CHECK_FALSE(add_need(edited, 2, "a, b"));   // not one id
    CHECK_FALSE(add_need(edited, 7, "build"));  // no such step
    edited = must(remove_need(edited, 2, "build"));
    CHECK(edited.find("   - Needs: lint\n") != std::string::npos);
    CHECK(must(remove_need(edited, 2, "lint")) == text);  // the last id takes the bullet with it
    CHECK_FALSE(remove_need(text, 1, "build"));
    const auto parsed = df::test::parse(must(add_need(text, 2, "build")));
    CHECK(parsed.ok());
    REQUIRE(parsed.wf.steps[2].needs);
    CHECK(*parsed.wf.steps[2].needs == std::vector<std::string>{"build"});
}

TEST_CASE("builder forms: a child workflow is Uses: and With: bullets; an empty child removes both") {
    const std::string text = "# Workflow: X\n\n## Steps\n1. **Prepare**\n   - Get ready\n";
    const std::string used = must(set_uses(text, 0, "child.md", "name=$who, mode=fast"));
    CHECK(used ==
          "# Workflow: X\n\n## Steps\n1. **Prepare**\n   - Uses: child.md\n   - With: name=$who, "
          "mode=fast\n   - Get ready\n");
    CHECK(must(set_uses(used, 0, "", "")) == text);
    CHECK_FALSE(set_uses(text, 0, "child.txt", ""));
    CHECK_FALSE(set_uses(text, 0, "", "a=1"));  // inputs for no child
}

TEST_CASE("builder forms: triggers are written from their kind") {
    CHECK(must(trigger_bullet("http", "", "")) == "http");
    CHECK(must(trigger_bullet("cron", "0 3 * * *", "")) == "cron: 0 3 * * *");
    CHECK(must(trigger_bullet("cron", "@daily", "keep=3, mode=full")) == "cron: @daily (keep=3, mode=full)");
    CHECK_FALSE(trigger_bullet("cron", "", ""));
    CHECK_FALSE(trigger_bullet("http", "0 3 * * *", ""));
    CHECK_FALSE(trigger_bullet("webhook", "", ""));
}
