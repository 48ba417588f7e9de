#include "compiler/builder/step_forms.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/text.h"
#include "compiler/builder/markdown_edit.h"

namespace df::compiler::builder {
namespace {

// The step's current value of `key`, empty when it has none.
Result<std::string> field_value(std::string_view text, std::size_t index, std::string_view key) {
    for (const auto& section : outline(text)) {
        if (section.section != Section::steps) continue;
        if (index >= section.items.size()) {
            return Error{ExitCode::usage, fmt::format("there is no step {} (the workflow has {})", index + 1,
                                                      section.items.size())};
        }
        for (const auto& [k, v] : section.items[index].fields) {
            if (k == key) return v;
        }
        return std::string();
    }
    return std::string();
}

std::string join(const std::vector<std::string>& ids) {
    std::string out;
    for (const auto& id : ids) out += (out.empty() ? "" : ", ") + id;
    return out;
}

// A step id as a person writes it in `Needs:`: one word of letters, digits, `-` and `_`.
Status check_id(std::string_view id) {
    const bool word = !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
               c == '_';
    });
    if (!word) return Error{ExitCode::usage, fmt::format("'{}' is not a step id (choose a step)", id)};
    return ok();
}

bool has_id(const std::vector<std::string>& ids, std::string_view id) {
    return std::any_of(ids.begin(), ids.end(), [&](const std::string& i) { return equals_icase(i, id); });
}

}  // namespace

std::vector<std::string> needed_ids(std::string_view value) {
    std::vector<std::string> ids;
    for (const auto part : split(value, ',')) {
        std::string_view rest = trim(part);
        // `build and lint`: the word `and` between ids separates them too.
        while (!rest.empty()) {
            const std::size_t space = rest.find(' ');
            const auto word = trim(rest.substr(0, space));
            rest = space == std::string_view::npos ? std::string_view() : trim(rest.substr(space + 1));
            if (!word.empty() && !equals_icase(word, "and") && !equals_icase(word, "none"))
                ids.emplace_back(word);
        }
    }
    return ids;
}

Result<std::string> add_need(std::string_view text, std::size_t index, std::string_view id) {
    if (auto s = check_id(id); !s) return s.error();
    const auto value = field_value(text, index, "Needs");
    if (!value) return value.error();
    auto ids = needed_ids(*value);
    if (has_id(ids, id)) {
        return Error{ExitCode::usage, fmt::format("step {} needs '{}' already", index + 1, id)};
    }
    ids.emplace_back(id);
    return set_step_field(text, index, "Needs", join(ids));
}

Result<std::string> remove_need(std::string_view text, std::size_t index, std::string_view id) {
    const auto value = field_value(text, index, "Needs");
    if (!value) return value.error();
    auto ids = needed_ids(*value);
    const auto before = ids.size();
    ids.erase(
        std::remove_if(ids.begin(), ids.end(), [&](const std::string& i) { return equals_icase(i, id); }),
        ids.end());
    if (ids.size() == before) {
        return Error{ExitCode::usage, fmt::format("step {} does not need '{}'", index + 1, id)};
    }
    return set_step_field(text, index, "Needs", join(ids));
}

Result<std::string> set_uses(std::string_view text, std::size_t index, std::string_view child,
                             std::string_view with) {
    const auto file = trim(child);
    if (!file.empty() && (!file.ends_with(".md") || file.find_first_of(" `") != std::string_view::npos)) {
        return Error{
            ExitCode::usage,
            fmt::format("'{}' is not a workflow file (a path ending in .md, beside this one)", file)};
    }
    if (file.empty() && !trim(with).empty()) {
        return Error{ExitCode::usage, "With: gives a child workflow its inputs: name the child workflow too"};
    }
    auto edited = set_step_field(text, index, "Uses", file);
    if (!edited) return edited.error();
    return set_step_field(*edited, index, "With", file.empty() ? "" : trim(with));
}

Result<std::string> trigger_bullet(std::string_view kind, std::string_view schedule,
                                   std::string_view inputs) {
    if (kind == "http") {
        if (!trim(schedule).empty() || !trim(inputs).empty()) {
            return Error{ExitCode::usage,
                         "an http trigger takes no schedule and no inputs (a request brings them)"};
        }
        return std::string("http");
    }
    if (kind != "cron")
        return Error{ExitCode::usage, fmt::format("'{}' is not a trigger kind (http or cron)", kind)};
    if (trim(schedule).empty()) {
        return Error{ExitCode::usage, "a cron trigger needs a schedule: MIN HOUR DOM MON DOW, or @daily"};
    }
    if (trim(inputs).empty()) return fmt::format("cron: {}", trim(schedule));
    return fmt::format("cron: {} ({})", trim(schedule), trim(inputs));
}

}  // namespace df::compiler::builder
