// Helpers shared by the parser's files (parser.cpp, parse_steps.cpp, parse_items.cpp): positions of
// blocks, and the "marked" text form that keeps code spans recognisable to pattern matching.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/workflow.h"
#include "compiler/diagnostics.h"
#include "compiler/markdown.h"
#include "compiler/source.h"

namespace df::compiler {

// Code spans in marked text are wrapped in these (control characters never occur in accepted sources).
inline constexpr char kCodeOpen = '\x01';
inline constexpr char kCodeClose = '\x02';

// A shell block of a command step, kept for the checks that run once the whole workflow is read.
// The three lists of steps a workflow has.
enum class StepList { steps, rollback, on_failure };

struct ShellBlock {
    StepList list = StepList::steps;  // `## Steps`, `## Rollback` or `## On Failure`
    int step_number = 0;              // 1-based, in its section
    const Block* block = nullptr;
};

struct ParseContext {
    const SourceFile& source;
    Diagnostics& diags;
    Workflow& workflow;
    std::vector<ShellBlock> shell_blocks = {};

    SourcePos pos(const Block& b) const;
    SourcePos pos_of_run(const Run& r, const Block& fallback) const;
};

// Runs as one line of text with code spans wrapped in kCodeOpen/kCodeClose.
std::string marked_text(const std::vector<Run>& runs);
// Marked text without the markers.
std::string unmark(std::string_view marked);

// The blocks of a list item: its first paragraph (may be null) and everything after it.
const Block* first_paragraph(const Block& item);

// True for `^[A-Za-z_][A-Za-z0-9_]*$`.
bool is_identifier(std::string_view s);

// Durations and sizes as people write them: "10 minutes", "90s", "1.5 hours", "an hour"; "512 MB", "1GiB".
// They search `text` (lower-case) and return the first match.
struct Found {
    long long value = 0;
    std::size_t begin = 0, end = 0;  // where in the text
};
std::optional<Found> find_duration_seconds(std::string_view lower_text);
// Long periods in whole days: "30 days", "2 weeks", "6 months" (30 days each), "3 years" (365 days each), up
// to 100 years; shorter ones ("48 hours") as find_duration_seconds finds them, rounded down to days.
std::optional<Found> find_duration_days(std::string_view lower_text);
std::optional<Found> find_size_bytes(std::string_view lower_text);
std::optional<Found> find_count(std::string_view lower_text);  // "5", "five", "once", "twice"

// "600 s (10 minutes)" style rendering for interpretations.
std::string describe_seconds(long long seconds);
std::string describe_bytes(unsigned long long bytes);

// What the list sections share (parse_items.cpp).
// The items of a section's lists; other blocks are warned about once.
std::vector<const Block*> list_items(ParseContext& ctx, const std::vector<const Block*>& blocks,
                                     std::string_view section);
// "with a=b, c=d" or "(a=b, c=d)" → "a=b, c=d".
std::string_view strip_input_list(std::string_view text);
// An error when a secret input is given a literal value in the workflow (which goes to git).
void refuse_literal_secret(ParseContext& ctx, const Input& in, std::string_view value, std::string_view where,
                           SourcePos pos);

// Section parsers (parse_steps.cpp, parse_items.cpp, parse_triggers.cpp, guardrails.cpp).
void parse_steps(ParseContext& ctx, const std::vector<const Block*>& blocks, std::vector<Step>& steps,
                 std::string_view section);
void parse_inputs(ParseContext& ctx, const std::vector<const Block*>& blocks);
void parse_outputs(ParseContext& ctx, const std::vector<const Block*>& blocks);
void parse_requires(ParseContext& ctx, const std::vector<const Block*>& blocks);
void parse_triggers(ParseContext& ctx, const std::vector<const Block*>& blocks);
void parse_example_usage(ParseContext& ctx, const std::vector<const Block*>& blocks);
void parse_guardrails(ParseContext& ctx, const std::vector<const Block*>& blocks);

// The checks that need the whole workflow (checks.cpp): undeclared variables in command steps, secrets
// given literal values, prose steps that look like gates, advice nothing reads.
void check_workflow(ParseContext& ctx);

// The indexes of the steps of `steps` that have ended when step `index` starts: those it needs, theirs, and
// so on (without `Needs:`, the step before it). checks.cpp.
std::set<std::size_t> runs_after(const std::vector<Step>& steps, std::size_t index);

// Levenshtein distance, for "did you mean …?".
std::size_t edit_distance(std::string_view a, std::string_view b);

// Applies one step-level directive bullet ("Timeout: 2 minutes", "Retries: 3"); false if it is not one.
bool apply_step_directive(std::string_view plain, Step& step);

// Cron: validates a schedule as written and returns the five numeric fields busybox crond reads, or an
// error message naming the bad field.
struct CronResult {
    std::string schedule;
    std::string error;
};
CronResult normalize_cron(std::string_view written);

}  // namespace df::compiler
