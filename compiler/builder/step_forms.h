// The forms that edit a step's links and the workflow's triggers, on top of markdown_edit: a `Needs:` edge
// added or removed one step id at a time, a child workflow (`Uses:` and `With:`), and a trigger written
// from its kind. Each writes what a person would, and leaves the judging (does the id name a step, is the
// schedule valid, is there a cycle) to the compiler, whose diagnostics the page shows.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace df::compiler::builder {

// The ids a `Needs:` value names: `build, lint`, `build and lint`; `none` names none.
std::vector<std::string> needed_ids(std::string_view value);

// The index-th step (0-based) gains `id` in its `Needs:` bullet (created when it has none; `none` gives
// way), or loses it (the bullet goes with its last id: the step then follows the step before it again).
Result<std::string> add_need(std::string_view text, std::size_t index, std::string_view id);
Result<std::string> remove_need(std::string_view text, std::size_t index, std::string_view id);

// The index-th step runs the child workflow `child` (a path relative to this file, `*.md`):
// `- Uses: child` and, when `with` is not empty, `- With: a=$x, b=value`; an empty child removes both.
Result<std::string> set_uses(std::string_view text, std::size_t index, std::string_view child,
                             std::string_view with);

// A trigger bullet: `http`, or `cron: SCHEDULE` with the inputs scheduled runs get, `(a=1, b=2)`.
Result<std::string> trigger_bullet(std::string_view kind, std::string_view schedule, std::string_view inputs);

}  // namespace df::compiler::builder
