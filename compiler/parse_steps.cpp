// Steps, in either style the seed and PRODUCT.md show:
//   ### 1. Clone Repository            1. **Clone Repository**
//   Prose, bullets, ```sh blocks          - bullets, nested ```sh blocks
// A step with shell blocks is a command step; a prose-only step is an agent step.
#include <cctype>

#include <fmt/format.h>

#include "common/text.h"
#include "compiler/parse_support.h"
#include "compiler/parser.h"

namespace df::compiler {
namespace {

bool is_shell(std::string_view language) {
    return language == "sh" || language == "bash" || language == "shell";
}

// `Uses:` makes a child-workflow step whatever else it holds (finish() refuses the rest); shell blocks a
// command step; prose alone an agent step.
StepKind step_kind(const Step& step) {
    if (!step.uses_source.empty()) return StepKind::workflow;
    return step.commands.empty() ? StepKind::agent : StepKind::command;
}

// "Step 3: Title", "3. Title", "3) Title" → "Title", and the number written, if any.
std::string strip_step_number(std::string title, int* written) {
    std::string_view t = title;
    if (starts_with_icase(t, "step ")) t.remove_prefix(5);
    std::size_t i = 0;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
    if (i == 0 || i > 6) return title;
    const std::string_view rest = trim(t.substr(i));
    if (rest.empty()) return title;
    // "3 Title" (no dot) too: the space is trimmed, so the number is followed directly by a letter here.
    const bool no_dot = i < t.size() && t[i] == ' ' && std::isalpha(static_cast<unsigned char>(rest[0]));
    if (no_dot) {
        *written = std::stoi(std::string(t.substr(0, i)));
        return std::string(rest);
    }
    if (rest[0] == '.' || rest[0] == ')' || rest[0] == ':' || starts_with_icase(rest, "\xE2\x80\x94") ||
        starts_with_icase(rest, "-")) {
        *written = std::stoi(std::string(t.substr(0, i)));
        std::string_view after = rest.substr(rest[0] == '\xE2' ? 3 : 1);
        return std::string(trim(after));
    }
    return title;
}

class StepBuilder {
  public:
    StepBuilder(ParseContext& ctx, Step& step, StepList list) : ctx_(ctx), step_(step), list_(list) {}

    // A block that belongs to the step: paragraphs describe it, lists instruct, shell blocks run.
    void add(const Block& b) {
        switch (b.type) {
            case BlockType::code:
                add_code(b);
                break;
            case BlockType::bullet_list:
            case BlockType::ordered_list:
                for (const auto& item : b.children) add_instruction(*item);
                break;
            case BlockType::paragraph:
                add_description(inline_markdown(b.runs));
                break;
            default: {
                collect_code(b);
                const std::string text = render_without_shell(b);
                if (!text.empty()) add_description(text);
            }
        }
    }

    void add_description(const std::string& text) {
        if (text.empty()) return;
        step_.description += step_.description.empty() ? text : "\n\n" + text;
    }

    void finish() {
        step_.kind = step_kind(step_);
        if (step_.kind == StepKind::workflow) {
            // The child workflow does the work: nothing else of the step would run.
            if (!step_.commands.empty() || !step_.instructions.empty() || !step_.samples.empty()) {
                ctx_.diags.error(
                    step_.uses_pos,
                    fmt::format("step '{}' has `Uses:` and {}: a child-workflow step runs only "
                                "the child; move them into the child workflow",
                                step_.id,
                                !step_.commands.empty() ? "a shell block" : "instructions for an agent"));
            }
            return;
        }
        if (step_.kind == StepKind::agent && step_.description.empty() && step_.instructions.empty() &&
            step_.samples.empty()) {
            ctx_.diags.warning(
                step_.pos,
                fmt::format("step '{}' has no instructions: the agent gets only its title", step_.title));
        }
    }

  private:
    void add_code(const Block& b) {
        if (is_shell(b.language)) {
            if (trim(b.code).empty()) {
                ctx_.diags.warning(ctx_.pos(b),
                                   fmt::format("empty `{}` block in step '{}'", b.language, step_.title));
                return;
            }
            if (!step_.commands.empty() && step_.commands.back() != '\n') step_.commands += '\n';
            step_.commands += b.code;
            ctx_.shell_blocks.push_back({list_, step_.number, &b});
        } else {
            if (b.language.empty() && !b.code.empty() && b.fenced) {
                ctx_.diags.warning(
                    ctx_.pos(b),
                    fmt::format("a code block without a language in step '{}' is shown to the agent, "
                                "not run; mark it ```sh to run it",
                                step_.title));
            }
            step_.samples.push_back({b.language, b.code});
        }
    }

    // Shell blocks nested anywhere inside a bullet still belong to the step's commands.
    void collect_code(const Block& b) {
        for (const auto& c : b.children) {
            if (c->type == BlockType::code) {
                add_code(*c);
            } else {
                collect_code(*c);
            }
        }
    }

    std::string render_without_shell(const Block& b) {
        std::vector<const Block*> kept;
        for (const auto& c : b.children) {
            if (!(c->type == BlockType::code && is_shell(c->language))) kept.push_back(c.get());
        }
        if (b.type == BlockType::list_item) return render_markdown(kept);
        return render_markdown({&b});
    }

    void add_instruction(const Block& item) {
        if (const Block* p = first_paragraph(item);
            p && item.children.size() == 1 && apply_step_directive(plain_text(p->runs), step_)) {
            // "Timeout: 2 minutes" configures the step rather than instructing the agent
            if (step_.needs && step_.needs_pos.line == 0) step_.needs_pos = ctx_.pos(*p);
            if (step_.condition && step_.condition_pos.line == 0) step_.condition_pos = ctx_.pos(*p);
            if (!step_.undoes.empty() && step_.undoes_pos.line == 0) step_.undoes_pos = ctx_.pos(*p);
            if (!step_.approval_written.empty() && step_.approval_pos.line == 0)
                step_.approval_pos = ctx_.pos(*p);
            if (!step_.approvers.empty() && step_.approvers_pos.line == 0) step_.approvers_pos = ctx_.pos(*p);
            if (!step_.foreach_written.empty() && step_.foreach_pos.line == 0)
                step_.foreach_pos = ctx_.pos(*p);
            if (!step_.uses_source.empty() && step_.uses_pos.line == 0) step_.uses_pos = ctx_.pos(*p);
            if (!step_.with_written.empty() && step_.with_pos.line == 0) step_.with_pos = ctx_.pos(*p);
            return;
        }
        collect_code(item);
        std::vector<const Block*> kept;
        for (const auto& c : item.children) {
            if (!(c->type == BlockType::code && is_shell(c->language))) kept.push_back(c.get());
        }
        const std::string text = render_markdown(kept);
        if (!text.empty()) step_.instructions.push_back(text);
    }

    ParseContext& ctx_;
    Step& step_;
    StepList list_;
};

Step new_step(ParseContext& ctx, std::string title, const Block& at, std::size_t index) {
    Step s;
    s.pos = ctx.pos(at);
    s.number = static_cast<int>(index) + 1;
    if (title.size() > kMaxTitleBytes) {
        ctx.diags.error(s.pos, fmt::format("step title is {} bytes long, over the limit of {} bytes",
                                           title.size(), kMaxTitleBytes));
        title = truncate_utf8(title, kMaxTitleBytes);
    }
    s.title = title;
    s.id = slugify(title, 48);
    if (s.id.empty()) s.id = fmt::format("step-{}", s.number);
    return s;
}

// List style: the leading bold text of the item's first paragraph is the title; without it, the first
// sentence is.
void step_from_item(ParseContext& ctx, const Block& item, std::vector<Step>& steps, StepList list) {
    const Block* para = first_paragraph(item);
    std::string title, rest_markdown;
    if (para) {
        std::vector<Run> title_runs, rest;
        bool in_title = !para->runs.empty() && para->runs.front().strong;
        for (const auto& r : para->runs) {
            if (in_title && r.strong) {
                title_runs.push_back(r);
            } else {
                in_title = false;
                rest.push_back(r);
            }
        }
        if (!title_runs.empty()) {
            title = plain_text(title_runs);
            while (!title.empty() && (title.back() == ':' || title.back() == '.')) title.pop_back();
            std::string r = inline_markdown(rest);
            std::string_view rv = trim(r);
            while (!rv.empty() && (rv.front() == ':' || rv.front() == '-' || rv.front() == '\\')) {
                rv = trim(rv.substr(1));
            }
            rest_markdown = std::string(rv);
        } else {
            const std::string text = plain_text(para->runs);
            const auto stop = text.find_first_of(":.");
            title = stop != std::string::npos && stop <= 80 ? text.substr(0, stop) : truncate_utf8(text, 80);
            if (title != text) rest_markdown = inline_markdown(para->runs);
        }
    }
    int written = 0;
    title = strip_step_number(title, &written);
    Step step = new_step(ctx, title.empty() ? fmt::format("Step {}", steps.size() + 1) : title,
                         para ? *para : item, steps.size());
    StepBuilder builder(ctx, step, list);
    builder.add_description(rest_markdown);
    bool first = true;
    for (const auto& c : item.children) {
        if (first && c.get() == para) {
            first = false;
            continue;
        }
        builder.add(*c);
    }
    builder.finish();
    steps.push_back(std::move(step));
}

void check_count(ParseContext& ctx, const std::vector<Step>& steps, const Block& at) {
    if (steps.size() == kMaxSteps + 1) {
        ctx.diags.error(ctx.pos(at), fmt::format("more than {} steps (the step limit)", kMaxSteps));
    }
}

// "environment == production" → {environment, ==, production}; without == or != the left side is the whole
// text and checks.cpp reports it.
Condition parse_condition(std::string_view text) {
    Condition c;
    std::size_t at = text.find("==");
    if (at == std::string_view::npos) {
        at = text.find("!=");
        c.equals = false;
    }
    if (at == std::string_view::npos) {
        c.left = std::string(trim(text));
        c.equals = true;
        return c;
    }
    c.left = std::string(trim(text.substr(0, at)));
    std::string_view right = trim(text.substr(at + 2));
    if (right.size() >= 2 && (right.front() == '"' || right.front() == '\'') &&
        right.back() == right.front()) {
        right = right.substr(1, right.size() - 2);
    }
    c.right = std::string(right);
    return c;
}

// "build, lint" or "build and lint" → the step ids; "none" → none.
std::vector<std::string> parse_needs(std::string_view list) {
    std::vector<std::string> ids;
    if (trim(list) == "none") return ids;
    std::string text(list);
    for (std::size_t at; (at = text.find(" and ")) != std::string::npos;) text.replace(at, 5, ",");
    std::string_view rest = text;
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        const std::string_view word = trim(rest.substr(0, comma));
        // As written, when it is no slug: checks.cpp reports it as an unknown step.
        if (!word.empty()) ids.push_back(slugify(word, 48).empty() ? std::string(word) : slugify(word, 48));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    return ids;
}

// "alice, bob" or "alice bob": the words, empty ones dropped.
std::vector<std::string> split_list(std::string_view list) {
    std::vector<std::string> words;
    std::string word;
    for (const char c : list) {
        if (c == ',' || c == ' ' || c == '\t') {
            if (!word.empty()) words.push_back(word);
            word.clear();
        } else {
            word += c;
        }
    }
    if (!word.empty()) words.push_back(word);
    return words;
}

}  // namespace

bool apply_step_directive(std::string_view plain, Step& step) {
    const std::string lower = to_lower(trim(plain));
    if (lower.rfind("approval:", 0) == 0) {
        // Anything but "required" is kept as written: checks.cpp reports it where it is.
        step.approval_written = std::string(trim(trim(plain).substr(9)));
        step.approval = to_lower(step.approval_written) == "required";
        if (step.approval_written.empty()) step.approval_written = " ";
        return true;
    }
    if (lower.rfind("for each:", 0) == 0) {
        // `item in $services`: checks.cpp reports what does not have that form, or names no list input.
        const std::string_view rest = trim(trim(plain).substr(9));
        step.foreach_written = rest.empty() ? " " : std::string(rest);
        const std::size_t in = to_lower(rest).find(" in ");
        if (in != std::string_view::npos) {
            step.foreach_var = std::string(trim(rest.substr(0, in)));
            std::string_view list = trim(rest.substr(in + 4));
            if (list.size() > 3 && list.front() == '$' && list[1] == '{' && list.back() == '}') {
                list = list.substr(2, list.size() - 3);
            } else if (!list.empty() && list.front() == '$') {
                list.remove_prefix(1);
            }
            step.foreach_list = std::string(list);
        }
        return true;
    }
    if (lower.rfind("uses:", 0) == 0) {
        // Resolved by compile (children.cpp), which reports what names no workflow.
        step.uses_source = std::string(trim(trim(plain).substr(5)));
        if (step.uses_source.empty()) step.uses_source = " ";
        return true;
    }
    if (lower.rfind("with:", 0) == 0) {
        // `a=$x, b="one, two"`: read by children.cpp, which reports what is no name=value.
        step.with_written = std::string(trim(trim(plain).substr(5)));
        if (step.with_written.empty()) step.with_written = " ";
        return true;
    }
    if (lower.rfind("continue on error:", 0) == 0) {
        const std::string_view v = trim(std::string_view(lower).substr(18));
        if (v != "yes" && v != "true" && v != "no" && v != "false") return false;
        step.continue_on_error = v == "yes" || v == "true";
        return true;
    }
    if (lower.rfind("approvers:", 0) == 0) {
        // As written (names are case-sensitive); checks.cpp refuses what is no name.
        step.approvers = split_list(trim(plain).substr(10));
        if (step.approvers.empty()) step.approvers.emplace_back();
        return true;
    }
    if (lower.rfind("undoes:", 0) == 0) {
        const std::string_view id = trim(std::string_view(lower).substr(7));
        step.undoes = slugify(id, 48).empty() ? std::string(id) : slugify(id, 48);
        return true;
    }
    if (lower.rfind("if:", 0) == 0) {
        step.condition = parse_condition(trim(plain).substr(3));
        return true;
    }
    if (lower.rfind("needs:", 0) == 0) {
        step.needs = parse_needs(std::string_view(lower).substr(6));
        return true;
    }
    if (lower.size() > 60) return false;
    for (const std::string_view key : {"timeout", "time limit", "max time"}) {
        if (lower.rfind(key, 0) == 0) {
            const auto d = find_duration_seconds(lower);
            if (!d) return false;
            step.timeout_seconds = static_cast<int>(d->value);
            return true;
        }
    }
    if (lower.rfind("retries", 0) == 0 || lower.rfind("retry", 0) == 0) {
        const auto n = find_count(lower);
        if (!n || n->value > 100) return false;
        step.retries = static_cast<int>(n->value);
        return true;
    }
    return false;
}

void parse_steps(ParseContext& ctx, const std::vector<const Block*>& blocks, std::vector<Step>& steps,
                 std::string_view section) {
    int step_level = 0;
    for (const Block* b : blocks) {
        if (b->type == BlockType::heading) {
            step_level = step_level == 0 ? b->level : std::min(step_level, b->level);
        }
    }
    std::optional<StepBuilder> current;
    const StepList list = section == "Rollback"     ? StepList::rollback
                          : section == "On Failure" ? StepList::on_failure
                                                    : StepList::steps;
    bool warned_loose = false;
    auto loose = [&](const Block& b) {
        if (!warned_loose) {
            ctx.diags.warning(ctx.pos(b),
                              fmt::format("text before the first step of {} is ignored", section));
            warned_loose = true;
        }
    };
    for (const Block* b : blocks) {
        if (step_level > 0 && b->type == BlockType::heading && b->level == step_level) {
            if (current) current->finish();
            int written = 0;
            const std::string title = strip_step_number(plain_text(b->runs), &written);
            steps.push_back(new_step(ctx, title, *b, steps.size()));
            check_count(ctx, steps, *b);
            if (written != 0 && written != steps.back().number) {
                ctx.diags.warning(ctx.pos(*b), fmt::format("step numbered {} is step {} of {}", written,
                                                           steps.back().number, section));
            }
            current.emplace(ctx, steps.back(), list);
            continue;
        }
        if (step_level == 0 && (b->type == BlockType::ordered_list || b->type == BlockType::bullet_list)) {
            if (current) current->finish();
            current.reset();
            for (const auto& item : b->children) {
                step_from_item(ctx, *item, steps, list);
                check_count(ctx, steps, *item);
            }
            // Blocks after a list but before the next one (an unindented ```sh under an item) join its last
            // step.
            if (!steps.empty()) current.emplace(ctx, steps.back(), list);
            continue;
        }
        if (current) {
            if (b->type == BlockType::heading) {
                current->add_description("**" + inline_markdown(b->runs) + "**");
            } else {
                current->add(*b);
            }
        } else {
            loose(*b);
        }
    }
    if (current && step_level > 0) current->finish();
    // Steps that received blocks after their list was read are re-classified.
    for (auto& s : steps) s.kind = step_kind(s);
}

}  // namespace df::compiler
