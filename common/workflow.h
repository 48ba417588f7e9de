// The workflow model: what `compile` reads out of workflow.md, what skill.json carries, and what `deploy`,
// `monitor` and the generated executor act on. Plain data; the parser lives in compiler/, the JSON form in
// common/manifest.h, and docs/manifest.md describes every field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace df {

// 1-based position in the workflow source (columns count bytes, as compilers do).
struct SourcePos {
    bool operator==(const SourcePos&) const = default;  // field by field (manifest round trip)
    int line = 0;
    int column = 0;
};

using KeyValues = std::vector<std::pair<std::string, std::string>>;

enum class InputType { string, number, boolean, choice };

struct Input {
    bool operator==(const Input&) const = default;
    std::string name;         // ^[a-z][a-z0-9_]*$; the step commands see it as $name (and $env_alias)
    std::string description;  // plain text
    InputType type = InputType::string;
    bool required = false;
    std::optional<std::string> default_value;
    std::vector<std::string> choices;  // non-empty exactly when type == choice
    bool secret = false;               // masked in run records, logs and output
    std::string env_alias;             // the upper-case name steps also see it under; empty: only `name`
    SourcePos pos;
};

struct Output {
    bool operator==(const Output&) const = default;
    std::string name;
    std::string description;
    SourcePos pos;
};

enum class StepKind {
    command,   // has ```sh/```bash blocks: the executor runs them with bash -euo pipefail
    agent,     // prose only: an OpenClaw agent carries it out
    workflow,  // `Uses:`: runs a child workflow (its skill folder is bundled under children/)
};

// A fenced block that is not shell: shown to the agent as context, never executed.
struct CodeSample {
    bool operator==(const CodeSample&) const = default;
    std::string language;
    std::string code;
};

// `If: environment == production`, `If: steps.check.outputs.changed != true`: compared as text when the
// step would start; false, the step is skipped.
struct Condition {
    bool operator==(const Condition&) const = default;
    std::string left;    // an input's name, or steps.<id>.outputs.<name>
    bool equals = true;  // == (true) or != (false)
    std::string right;   // the text compared with, as written (quotes around it removed)
};

struct Step {
    bool operator==(const Step&) const = default;
    std::string id;     // slug of the title, unique within the workflow (`run --step ID`)
    int number = 0;     // 1-based position in its section
    std::string title;  // plain text
    StepKind kind = StepKind::agent;
    std::string description;                // prose paragraphs, plain text
    std::vector<std::string> instructions;  // bullet items, plain text
    std::string commands;                   // the shell blocks, byte-exact, joined by newlines
    std::vector<CodeSample> samples;
    std::optional<int> timeout_seconds;  // a `Timeout: …` bullet on the step overrides the workflow's
    std::optional<int> retries;          // a `Retries: N` bullet on the step overrides the workflow's
    // `Needs: build, lint`: the ids of the steps it starts after (their success); empty for `Needs: none`
    // (it starts with the run); nullopt: it follows the step before it, as without the bullet.
    std::optional<std::vector<std::string>> needs;
    SourcePos needs_pos;  // where the `Needs:` bullet is (its errors point there); not in skill.json
    std::optional<Condition> condition;  // `If:`
    std::string undoes;       // a rollback step's `Undoes: tag-release`: runs only if that step succeeded
    SourcePos undoes_pos;     // where the `Undoes:` bullet is; not in skill.json
    SourcePos condition_pos;  // where the `If:` bullet is; not in skill.json
    // `Approval: required`: the run waits for a person before the step; on such a step `Timeout:` bounds
    // that wait (compile moves it to approval_timeout_seconds) and `Approvers:` names who may decide.
    bool approval = false;
    std::vector<std::string> approvers;  // empty: anyone who may run `run --approve`
    std::optional<int> approval_timeout_seconds;
    std::string approval_written;  // the value as written (checks.cpp refuses anything but "required")
    SourcePos approval_pos;        // where the `Approval:` bullet is; not in skill.json
    SourcePos approvers_pos;       // where the `Approvers:` bullet is; not in skill.json
    // `For each: item in $services`: the step runs once per item of that list input, $item set; empty: once.
    std::string foreach_var;
    std::string foreach_list;        // the input's name
    std::string foreach_written;     // as written, for the errors checks.cpp reports; not in skill.json
    SourcePos foreach_pos;           // where the `For each:` bullet is; not in skill.json
    bool continue_on_error = false;  // `Continue on error: yes`: a failed item does not fail the step
    // `Uses: run-tests.md` (a workflow file beside this one) or `Uses: run-tests` (a skill name): the step
    // runs that workflow as a child. uses_source is the value as written; uses_skill the child's skill name
    // (compile resolves it; the folder children/<uses_skill> in the skill folder).
    std::string uses_source;
    std::string uses_skill;
    SourcePos uses_pos;  // where the `Uses:` bullet is; not in skill.json
    // `With: branch=$branch, mode=fast`: the child's inputs, name → template as written (`$name` and
    // `${name}` are the parent's inputs and earlier outputs, substituted as data at run time).
    KeyValues with;
    std::string with_written;  // as written, for the errors checks report; not in skill.json
    SourcePos with_pos;        // where the `With:` bullet is; not in skill.json
    SourcePos pos;
};

enum class GuardrailKind {
    run_timeout,
    step_timeout,
    approval,
    rate_limit,
    retries,
    concurrency,
    parallel_steps,
    memory_limit,
    auto_rollback,
    history_retention,
    advisory,
};

struct Guardrail {
    bool operator==(const Guardrail&) const = default;
    std::string text;  // the line as written (plain text)
    GuardrailKind kind = GuardrailKind::advisory;
    bool enforced = false;       // false: handed to the agent as advice
    std::string interpretation;  // what compile understood, in one line
    SourcePos pos;
};

// What the enforced guardrails compile to; the executor and deploy read this, never the prose.
struct Policy {
    bool operator==(const Policy&) const = default;
    struct Approval {
        bool operator==(const Approval&) const = default;
        std::string when_input;  // empty: every run needs approval
        std::string equals;      // the value of `when_input` that needs approval
        int timeout_seconds = 3600;
    };
    struct RateLimit {
        bool operator==(const RateLimit&) const = default;
        int max_runs = 0;
        int window_seconds = 0;
        std::string key_input;  // empty: one budget for all runs
    };
    struct Concurrency {
        bool operator==(const Concurrency&) const = default;
        int max_runs = 1;
        std::string key_input;  // empty: one pool of slots for all runs
    };

    std::optional<int> run_timeout_seconds;
    std::optional<int> step_timeout_seconds;
    int retries = 0;  // extra attempts per step after the first
    int retry_delay_seconds = 5;
    std::optional<Approval> approval;
    std::optional<RateLimit> rate_limit;
    std::optional<Concurrency> concurrency;
    // `At most N steps at a time`: how many steps of one run may run at once (steps with `Needs:`); none: no
    // bound.
    std::optional<int> max_parallel_steps;
    std::optional<std::uint64_t> memory_limit_bytes;
    bool auto_rollback = false;
    // Run records (and their logs and working folders) are removed when older than this many days or
    // beyond the newest this many runs; `Keep run history for N days`, `Keep the last N runs`.
    int history_days = 30;
    int history_runs = 1000;
};

struct Trigger {
    bool operator==(const Trigger&) const = default;
    enum class Kind { http, cron };
    Kind kind = Kind::http;
    std::string schedule;  // cron: five numeric fields, as busybox crond reads them
    std::string written;   // cron: the schedule as the author wrote it
    KeyValues inputs;      // cron: the inputs each scheduled run gets
    SourcePos pos;
};

struct Requirements {
    bool operator==(const Requirements&) const = default;
    std::vector<std::string> bins;  // must be on PATH (OpenClaw gating, Dockerfile packages)
    std::vector<std::string> env;   // must be set
};

// A section compile does not know: kept, as Markdown, for the agent.
struct Note {
    bool operator==(const Note&) const = default;
    std::string title;
    std::string text;
    SourcePos pos;
};

struct Workflow {
    bool operator==(const Workflow&) const = default;
    std::string title;        // `# Workflow: Title` without the prefix
    std::string name;         // AgentSkills slug of the title; the skill folder's name
    std::string description;  // plain text, may span paragraphs
    std::vector<Input> inputs;
    std::vector<Output> outputs;
    std::vector<Step> steps;
    std::vector<Step> rollback;    // `## Rollback`: run after a failure when auto-rollback is on
    std::vector<Step> on_failure;  // `## On Failure`: run after every failed run, after any rollback
    std::vector<Guardrail> guardrails;
    Policy policy;
    std::vector<Trigger> triggers;  // always includes http
    Requirements requirements;
    std::string error_handling;  // Markdown, for the agent
    KeyValues example_inputs;    // from the ```yaml block under `## Example Usage`
    std::vector<Note> notes;
};

std::string_view to_string(InputType type);
std::string_view to_string(StepKind kind);
std::string_view to_string(GuardrailKind kind);
std::string_view to_string(Trigger::Kind kind);

const Input* find_input(const Workflow& workflow, std::string_view name);

}  // namespace df
