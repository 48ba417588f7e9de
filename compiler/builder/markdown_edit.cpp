#include "compiler/builder/markdown_edit.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

#include <fmt/format.h>

#include "common/text.h"

namespace df::compiler::builder {
namespace {

using Lines = std::vector<std::string>;

Lines to_lines(std::string_view text) {
    Lines lines;
    for (const auto line : split(text, '\n')) lines.emplace_back(line);
    if (!lines.empty() && lines.back().empty()) lines.pop_back();  // the final newline
    for (auto& line : lines) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
    }
    return lines;
}

std::string to_text(const Lines& lines) {
    std::string out;
    for (const auto& line : lines) out += line + '\n';
    return out;
}

bool blank(std::string_view line) {
    return trim(line).empty();
}

bool is_fence(std::string_view line) {
    const auto t = trim(line);
    return t.starts_with("```") || t.starts_with("~~~");
}

// Which lines sit inside a fenced code block (fences included): never headings or items.
std::vector<bool> fenced(const Lines& lines) {
    std::vector<bool> in(lines.size(), false);
    bool open = false;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const bool fence = is_fence(lines[i]);
        in[i] = open || fence;
        if (fence) open = !open;
    }
    return in;
}

struct Range {
    std::size_t heading = 0, begin = 0, end = 0;  // heading line; body [begin, end)
    bool found = false;
};

bool is_heading(std::string_view line, int level) {
    const std::string marks(static_cast<std::size_t>(level), '#');
    return line.starts_with(marks + " ") || line == marks;
}

Range find_section(const Lines& lines, Section section) {
    const auto in_fence = fenced(lines);
    Range r;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (in_fence[i]) continue;
        const bool top = is_heading(lines[i], 1) || is_heading(lines[i], 2);
        if (r.found && top) {
            r.end = i;
            return r;
        }
        if (!r.found && is_heading(lines[i], 2) && classify_section(lines[i].substr(2)) == section) {
            r = Range{i, i + 1, lines.size(), true};
        }
    }
    return r;
}

bool is_bullet(std::string_view line) {
    return line.starts_with("- ") || line.starts_with("* ") || line.starts_with("+ ") || line == "-";
}

// `12. text` or `12) text`: the length of the number, 0 when the line is not a numbered item.
std::size_t number_length(std::string_view line) {
    std::size_t n = 0;
    while (n < line.size() && n < 9 && std::isdigit(static_cast<unsigned char>(line[n]))) ++n;
    if (n == 0 || n >= line.size() || (line[n] != '.' && line[n] != ')')) return 0;
    return n + 1 == line.size() || line[n + 1] == ' ' ? n : 0;
}

bool is_item_start(std::string_view line, Section section) {
    if (section == Section::steps || section == Section::rollback) {
        return is_heading(line, 3) || number_length(line) > 0;
    }
    return is_bullet(line);
}

// The items of a section: each from its first line to the next item, trailing blank lines left out.
struct Block {
    std::size_t begin = 0, end = 0;
};

std::vector<Block> items_of(const Lines& lines, const Range& r, Section section) {
    const auto in_fence = fenced(lines);
    std::vector<std::size_t> starts;
    for (std::size_t i = r.begin; i < r.end; ++i) {
        if (!in_fence[i] && is_item_start(lines[i], section)) starts.push_back(i);
    }
    std::vector<Block> blocks;
    for (std::size_t k = 0; k < starts.size(); ++k) {
        std::size_t end = k + 1 < starts.size() ? starts[k + 1] : r.end;
        while (end > starts[k] + 1 && blank(lines[end - 1])) --end;
        blocks.push_back({starts[k], end});
    }
    return blocks;
}

Status one_line(std::string_view value, std::string_view what) {
    for (const unsigned char c : value) {
        if (c < 0x20 || c == 0x7f) {
            return Error{ExitCode::usage, fmt::format("the {} must be one line of text", what)};
        }
    }
    if (find_invalid_utf8(value)) return Error{ExitCode::usage, fmt::format("the {} is not UTF-8", what)};
    return ok();
}

// The usual order of sections, where a new one goes.
constexpr std::array kOrder = {Section::description, Section::inputs,        Section::steps,
                               Section::rollback,    Section::outputs,       Section::guardrails,
                               Section::triggers,    Section::prerequisites, Section::example_usage};

std::string_view heading_of(Section section) {
    switch (section) {
        case Section::inputs:
            return "Inputs";
        case Section::steps:
            return "Steps";
        case Section::outputs:
            return "Outputs";
        case Section::guardrails:
            return "Guardrails";
        case Section::triggers:
            return "Triggers";
        case Section::prerequisites:
            return "Requires";
        case Section::rollback:
            return "Rollback";
        default:
            return "";
    }
}

std::size_t rank(Section section) {
    return static_cast<std::size_t>(std::find(kOrder.begin(), kOrder.end(), section) - kOrder.begin());
}

// The section's range, after adding an empty `## Heading` before the first section that comes later in
// the usual order (or at the end) when the file has none.
Range ensure_section(Lines& lines, Section section) {
    if (const auto r = find_section(lines, section); r.found) return r;
    const auto in_fence = fenced(lines);
    std::size_t at = lines.size();
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (in_fence[i] || !is_heading(lines[i], 2)) continue;
        const Section other = classify_section(lines[i].substr(2));
        if (other != Section::unknown && rank(other) > rank(section)) {
            at = i;
            break;
        }
    }
    while (at > 0 && blank(lines[at - 1])) --at;
    Lines added = {"", fmt::format("## {}", heading_of(section))};
    if (at == 0) added.erase(added.begin());
    lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(at), added.begin(), added.end());
    return find_section(lines, section);
}

// Where new content of a section goes: after its last non-blank line.
std::size_t section_tail(const Lines& lines, const Range& r) {
    std::size_t at = r.end;
    while (at > r.begin && blank(lines[at - 1])) --at;
    return at;
}

// Inserts `added` at `at`, keeping a blank line between it and a following heading or paragraph.
void insert_lines(Lines& lines, std::size_t at, Lines added, bool blank_before) {
    if (blank_before && at > 0 && !blank(lines[at - 1])) added.insert(added.begin(), "");
    if (at < lines.size() && !blank(lines[at])) added.push_back("");
    lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(at), added.begin(), added.end());
}

bool is_step_section(Section section) {
    return section == Section::steps || section == Section::rollback;
}

// Numbered steps get 1, 2, 3, … in order (`### 2. Title` headings too); other lines are left alone.
void renumber(Lines& lines, Section section) {
    const Range r = find_section(lines, section);
    std::size_t n = 0;
    for (const auto& block : items_of(lines, r, section)) {
        std::string& line = lines[block.begin];
        ++n;
        const std::size_t prefix = line.starts_with("### ") ? 4 : 0;
        const std::size_t digits = number_length(std::string_view(line).substr(prefix));
        if (digits > 0) line.replace(prefix, digits, std::to_string(n));
    }
}

// A section left with nothing but its heading goes too, with the blank line before it.
void drop_if_empty(Lines& lines, Section section) {
    const Range r = find_section(lines, section);
    if (!r.found || section_tail(lines, r) > r.begin) return;
    std::size_t begin = r.heading;
    if (begin > 0 && blank(lines[begin - 1])) --begin;
    lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(begin),
                lines.begin() + static_cast<std::ptrdiff_t>(r.end));
}

Result<std::pair<Range, std::vector<Block>>> items_in(const Lines& lines, Section section,
                                                      std::size_t index) {
    const Range r = find_section(lines, section);
    const auto blocks = r.found ? items_of(lines, r, section) : std::vector<Block>{};
    if (index >= blocks.size()) {
        return Error{ExitCode::usage, fmt::format("there is no item {} under ## {} (it has {})", index + 1,
                                                  heading_of(section), blocks.size())};
    }
    return std::pair{r, blocks};
}

std::string step_title(std::string_view line) {
    std::string_view t = line;
    if (t.starts_with("### ")) t.remove_prefix(4);
    if (t.starts_with("Step ") || t.starts_with("step ")) t.remove_prefix(5);
    const std::size_t digits = number_length(t);
    if (digits > 0) t.remove_prefix(digits + 1);
    t = trim(t);
    if (t.starts_with("**") && t.size() > 4 && t.ends_with("**")) t = t.substr(2, t.size() - 4);
    return std::string(trim(t));
}

// `   - Needs: a, b` → {"Needs", "a, b"} when the key is one the forms edit.
std::optional<std::pair<std::string, std::string>> field_of(std::string_view line) {
    auto t = trim(line);
    if (!is_bullet(t)) return std::nullopt;
    t = trim(t.substr(1));
    const std::size_t colon = t.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    const auto key = trim(t.substr(0, colon));
    for (const auto known : step_field_keys()) {
        if (equals_icase(key, known))
            return std::pair{std::string(known), std::string(trim(t.substr(colon + 1)))};
    }
    return std::nullopt;
}

}  // namespace

const std::vector<std::string_view>& step_field_keys() {
    static const std::vector<std::string_view> keys = {"Needs",    "Uses",    "With",    "If",
                                                       "For each", "Timeout", "Retries", "Approval"};
    return keys;
}

std::vector<OutlineSection> outline(std::string_view text) {
    const Lines lines = to_lines(text);
    const auto in_fence = fenced(lines);
    std::vector<OutlineSection> out;
    constexpr std::pair<Section, std::string_view> kParts[] = {
        {Section::inputs, "inputs"},     {Section::steps, "steps"},
        {Section::outputs, "outputs"},   {Section::guardrails, "guardrails"},
        {Section::triggers, "triggers"}, {Section::prerequisites, "requires"}};
    for (const auto& [section, key] : kParts) {
        OutlineSection s;
        s.section = section;
        s.key = key;
        const Range r = find_section(lines, section);
        if (r.found) s.heading = lines[r.heading].substr(3);
        if (r.found) {
            for (const auto& block : items_of(lines, r, section)) {
                Item item;
                item.line = block.begin + 1;
                if (is_step_section(section)) {
                    item.text = step_title(lines[block.begin]);
                    for (std::size_t i = block.begin + 1; i < block.end; ++i) {
                        if (in_fence[i]) continue;
                        if (auto f = field_of(lines[i])) item.fields.push_back(std::move(*f));
                    }
                } else {
                    item.text = std::string(trim(std::string_view(lines[block.begin]).substr(1)));
                }
                s.items.push_back(std::move(item));
            }
        }
        out.push_back(std::move(s));
    }
    return out;
}

Result<std::string> new_workflow(std::string_view title, std::string_view description) {
    if (auto s = one_line(title, "title"); !s) return s.error();
    if (auto s = one_line(description, "description"); !s) return s.error();
    if (trim(title).empty()) return Error{ExitCode::usage, "a workflow needs a title"};
    std::string out = fmt::format("# Workflow: {}\n", trim(title));
    if (!trim(description).empty()) out += fmt::format("\n## Description\n{}\n", trim(description));
    return out;
}

Result<std::string> add_bullet(std::string_view text, Section section, std::string_view bullet) {
    if (section == Section::unknown || is_step_section(section) || heading_of(section).empty()) {
        return Error{ExitCode::usage,
                     "bullets are added to inputs, outputs, guardrails, triggers or requires"};
    }
    if (auto s = one_line(bullet, "bullet"); !s) return s.error();
    if (trim(bullet).empty()) return Error{ExitCode::usage, "an empty bullet says nothing"};
    Lines lines = to_lines(text);
    const Range r = ensure_section(lines, section);
    const std::size_t at = section_tail(lines, r);
    // A new bullet joins the list; after prose it starts one, separated by a blank line.
    const bool after_item = at > r.begin && !items_of(lines, r, section).empty();
    insert_lines(lines, at, {fmt::format("- {}", trim(bullet))}, !after_item && at > r.begin);
    return to_text(lines);
}

Result<std::string> remove_item(std::string_view text, Section section, std::size_t index) {
    Lines lines = to_lines(text);
    const auto found = items_in(lines, section, index);
    if (!found) return found.error();
    const auto& blocks = found->second;
    std::size_t begin = blocks[index].begin, end = blocks[index].end;
    // The blank lines after it go with it, unless it was the last item (they then separate the section).
    if (index + 1 < blocks.size()) {
        end = blocks[index + 1].begin;
    } else if (index > 0) {
        begin = blocks[index - 1].end;  // the last one: the blank lines before it go
    }
    lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(begin),
                lines.begin() + static_cast<std::ptrdiff_t>(end));
    if (is_step_section(section)) renumber(lines, section);
    drop_if_empty(lines, section);
    return to_text(lines);
}

Result<std::string> move_item(std::string_view text, Section section, std::size_t index, int delta) {
    Lines lines = to_lines(text);
    const auto found = items_in(lines, section, index);
    if (!found) return found.error();
    const auto& blocks = found->second;
    const auto target = static_cast<std::ptrdiff_t>(index) + delta;
    if (target < 0 || target >= static_cast<std::ptrdiff_t>(blocks.size())) {
        return Error{ExitCode::usage, fmt::format("item {} cannot move {} there", index + 1,
                                                  delta < 0 ? "up: it is first" : "down: it is last")};
    }
    // Contents trade places; the blank lines between items stay where they were.
    std::vector<Lines> contents;
    for (const auto& b : blocks)
        contents.emplace_back(lines.begin() + static_cast<std::ptrdiff_t>(b.begin),
                              lines.begin() + static_cast<std::ptrdiff_t>(b.end));
    std::swap(contents[index], contents[static_cast<std::size_t>(target)]);
    Lines out(lines.begin(), lines.begin() + static_cast<std::ptrdiff_t>(blocks.front().begin));
    for (std::size_t k = 0; k < blocks.size(); ++k) {
        out.insert(out.end(), contents[k].begin(), contents[k].end());
        const std::size_t gap_end = k + 1 < blocks.size() ? blocks[k + 1].begin : blocks[k].end;
        out.insert(out.end(), lines.begin() + static_cast<std::ptrdiff_t>(blocks[k].end),
                   lines.begin() + static_cast<std::ptrdiff_t>(gap_end));
    }
    out.insert(out.end(), lines.begin() + static_cast<std::ptrdiff_t>(blocks.back().end), lines.end());
    if (is_step_section(section)) renumber(out, section);
    return to_text(out);
}

Result<std::string> add_step(std::string_view text, std::string_view title, std::string_view instructions,
                             std::string_view command) {
    if (auto s = one_line(title, "step title"); !s) return s.error();
    if (trim(title).empty()) return Error{ExitCode::usage, "a step needs a title"};
    if (title.find("**") != std::string_view::npos)
        return Error{ExitCode::usage, "a step title cannot hold **"};
    Lines step;
    Lines lines = to_lines(text);
    const Range r = ensure_section(lines, Section::steps);
    const auto existing = items_of(lines, r, Section::steps);
    step.push_back(fmt::format("{}. **{}**", existing.size() + 1, trim(title)));
    for (const auto line : split(instructions, '\n')) {
        if (auto s = one_line(line, "instruction"); !s) return s.error();
        if (!trim(line).empty()) step.push_back(fmt::format("   - {}", trim(line)));
    }
    if (!trim(command).empty()) {
        step.emplace_back("   ```sh");
        for (auto line : split(command, '\n')) {
            if (line.ends_with('\r')) line.remove_suffix(1);
            if (is_fence(line))
                return Error{ExitCode::usage, "a command line cannot start a code fence (```)"};
            if (auto s = one_line(line, "command line"); !s) {
                if (line.find('\t') == std::string_view::npos) return s.error();
            }
            step.push_back(line.empty() ? std::string() : fmt::format("   {}", line));
        }
        while (step.back().empty()) step.pop_back();
        step.emplace_back("   ```");
    }
    const std::size_t at = section_tail(lines, r);
    insert_lines(lines, at, step, at > r.begin);
    return to_text(lines);
}

Result<std::string> set_step_field(std::string_view text, std::size_t index, std::string_view key,
                                   std::string_view value) {
    const auto& keys = step_field_keys();
    const auto known = std::find_if(keys.begin(), keys.end(), [&](auto k) { return equals_icase(k, key); });
    if (known == keys.end()) {
        return Error{ExitCode::usage, fmt::format("'{}' is not a step bullet the builder sets", key)};
    }
    if (auto s = one_line(value, "value"); !s) return s.error();
    Lines lines = to_lines(text);
    const auto found = items_in(lines, Section::steps, index);
    if (!found) return found.error();
    const Block block = found->second[index];
    const auto in_fence = fenced(lines);
    const bool list_style = !lines[block.begin].starts_with("### ");
    const std::string bullet = fmt::format("{}- {}: {}", list_style ? "   " : "", *known, trim(value));
    std::size_t after = block.begin + 1;  // where a new bullet goes: after the title and the other fields
    for (std::size_t i = block.begin + 1; i < block.end; ++i) {
        if (in_fence[i]) continue;
        const auto field = field_of(lines[i]);
        if (!field) continue;
        if (field->first == *known) {
            if (trim(value).empty()) {
                lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(i));
            } else {
                lines[i] = bullet;
            }
            return to_text(lines);
        }
        after = i + 1;
    }
    if (trim(value).empty()) return to_text(lines);  // nothing to remove
    Lines added = {bullet};
    if (!list_style && after == block.begin + 1) added.insert(added.begin(), "");
    // A paragraph right after the bullet would be read as its continuation: keep a blank line.
    const bool next_continues = after < lines.size() && !blank(lines[after]) && !field_of(lines[after]) &&
                                !is_bullet(trim(lines[after])) && !is_fence(lines[after]) &&
                                after < block.end;
    if (next_continues) added.emplace_back("");
    lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(after), added.begin(), added.end());
    return to_text(lines);
}

Result<std::string> input_bullet(const InputForm& form) {
    const std::string name(trim(form.name));
    if (auto s = one_line(form.description, "description"); !s) return s.error();
    if (auto s = one_line(form.default_value, "default"); !s) return s.error();
    if (name.empty()) return Error{ExitCode::usage, "an input needs a name"};
    if (!std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }) ||
        !(name[0] >= 'a' && name[0] <= 'z')) {
        return Error{ExitCode::usage,
                     fmt::format("input names are lower case letters, digits and _: '{}'", name)};
    }
    std::vector<std::string> marks;
    if (form.required) marks.emplace_back("required");
    if (form.optional) marks.emplace_back("optional");
    if (form.number) marks.emplace_back("number");
    if (form.boolean) marks.emplace_back("boolean");
    if (form.secret) marks.emplace_back("secret");
    std::string out = fmt::format("`{}`", name);
    for (std::size_t i = 0; i < marks.size(); ++i) out += (i == 0 ? " (" : ", ") + marks[i];
    if (!marks.empty()) out += ")";
    out += fmt::format(": {}", trim(form.description).empty() ? name : trim(form.description));
    if (!trim(form.default_value).empty()) out += fmt::format(" (default: {})", trim(form.default_value));
    return out;
}

Result<std::string> output_bullet(std::string_view name, std::string_view description) {
    if (auto s = one_line(name, "output name"); !s) return s.error();
    if (auto s = one_line(description, "description"); !s) return s.error();
    if (trim(name).empty() || trim(name).find_first_of(" `") != std::string_view::npos) {
        return Error{ExitCode::usage, "an output needs a name of one word"};
    }
    return fmt::format("`{}`: {}", trim(name), trim(description).empty() ? trim(name) : trim(description));
}

}  // namespace df::compiler::builder
