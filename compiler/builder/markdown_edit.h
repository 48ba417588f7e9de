// The builder's forms edit the workflow's Markdown text, the one source of truth, and write what a person
// would: `- `name` (required): text` under `## Inputs`, `3. **Title**` with its bullets and ```sh block
// under `## Steps`, `   - Needs: build` inside a step. Each edit takes the whole text and returns the new
// text, or an error saying why it cannot be made (a value spanning lines would write Markdown the person
// did not ask for, so it is refused). Sections are found by the compiler's own names (classify_section).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "compiler/parser.h"

namespace df::compiler::builder {

// One bullet of a list section, or one step: its first line without the marker, and for steps the
// `Key: value` bullets the builder edits (Needs, Uses, …).
struct Item {
    std::string text;
    std::size_t line = 0;  // 1-based line of its first line
    std::vector<std::pair<std::string, std::string>> fields;
};

struct OutlineSection {
    Section section = Section::unknown;
    std::string_view key;  // the name the page uses: inputs, steps, outputs, guardrails, triggers, requires
    std::string heading;   // as written; empty when the file has no such section yet
    std::vector<Item> items;
};

// The sections the forms edit (inputs, steps, outputs, guardrails, triggers, requires), in that order.
std::vector<OutlineSection> outline(std::string_view text);

// The step bullets the forms set: orchestration (`Needs`, `Uses`, `With`, `If`, `For each`) and limits.
const std::vector<std::string_view>& step_field_keys();

// `# Workflow: TITLE` and a `## Description` of one line: the start of a new workflow file.
Result<std::string> new_workflow(std::string_view title, std::string_view description);

// Appends `- BULLET` to a list section (inputs, outputs, guardrails, triggers, requires), creating the
// section in the usual order when the file has none.
Result<std::string> add_bullet(std::string_view text, Section section, std::string_view bullet);

// Removes, or moves by `delta` places, the index-th item (0-based) of a list section or of the steps;
// numbered steps are renumbered.
Result<std::string> remove_item(std::string_view text, Section section, std::size_t index);
Result<std::string> move_item(std::string_view text, Section section, std::size_t index, int delta);

// Appends a step: `N. **TITLE**`, one bullet per instruction line (an agent step when there is no
// command), and the command lines in a ```sh block.
Result<std::string> add_step(std::string_view text, std::string_view title, std::string_view instructions,
                             std::string_view command);

// Sets the step's `KEY: VALUE` bullet (KEY one of step_field_keys()); an empty value removes it.
Result<std::string> set_step_field(std::string_view text, std::size_t index, std::string_view key,
                                   std::string_view value);

// The bullets people write for inputs and outputs.
struct InputForm {
    std::string name, description, default_value;
    bool required = false, optional = false, number = false, boolean = false, secret = false;
};
Result<std::string> input_bullet(const InputForm& form);
Result<std::string> output_bullet(std::string_view name, std::string_view description);

}  // namespace df::compiler::builder
