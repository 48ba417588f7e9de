#include "monitor/diagnose.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/json.h"
#include "common/text.h"

namespace df::monitor {

namespace {

constexpr std::size_t kWorkflowBytes = 64 * 1024;  // a workflow longer than this is cut in the prompt

std::string failed_step_section(const DiagnoseInput& in, const std::string& failed_step) {
    if (!in.manifest)
        return "The compiled skill folder was not given (--skill-dir), so the step's commands are not "
               "known.\n";
    for (const auto& s : in.manifest->workflow.steps) {
        if (s.id != failed_step) continue;
        std::string out = fmt::format("Step `{}` ({}, {}):\n", s.id, s.title, to_string(s.kind));
        if (!s.commands.empty())
            out += "```sh\n" + s.commands + (s.commands.back() == '\n' ? "" : "\n") + "```\n";
        for (const auto& i : s.instructions) out += "- " + i + "\n";
        return out;
    }
    return fmt::format("No step `{}` in the skill folder's skill.json (another version may have run).\n",
                       failed_step);
}

std::string guardrails_section(const DiagnoseInput& in) {
    if (!in.manifest) return "";
    std::string out;
    for (const auto& g : in.manifest->workflow.guardrails)
        out += fmt::format("- {}{}\n", g.text,
                           g.enforced ? " (enforced: " + g.interpretation + ")" : " (advice)");
    if (!in.manifest->workflow.error_handling.empty())
        out += "\nError handling (advice):\n" + in.manifest->workflow.error_handling + "\n";
    return out.empty() ? "" : "## Guardrails\n" + out + "\n";
}

std::string deployments_section(const DiagnoseInput& in) {
    std::string out = "## Last deployments (newest first)\n";
    if (in.deployments.empty()) return out + "none recorded\n\n";
    for (const auto& d : in.deployments) {
        out +=
            fmt::format("- {} {} {} commit {} version {}{}\n", d.started_at, d.kind, d.status,
                        d.commit.substr(0, 12), d.skill_version, d.message.empty() ? "" : ": " + d.message);
    }
    return out + "\n";
}

// A fence longer than any run of backticks in the text, so a log cannot close its block early.
std::string fence_for(const std::string& text) {
    std::size_t longest = 0, run = 0;
    for (const char c : text) {
        run = c == '`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    return std::string(std::max<std::size_t>(3, longest + 1), '`');
}

std::string log_section(const DiagnoseInput& in) {
    std::string out = "## The end of the run's log\n";
    if (in.log_tail.empty())
        return out + (in.log_note.empty() ? std::string("The log is empty.") : in.log_note) + "\n\n";
    const std::string fence = fence_for(in.log_tail);
    return out + fence + "text\n" + in.log_tail + (in.log_tail.back() == '\n' ? "" : "\n") + fence + "\n\n";
}

std::string failed_step_of(const std::string& record_json) {
    auto doc = json::parse(record_json, "the run record", ExitCode::protocol);
    if (!doc || !doc->IsObject()) return {};
    const auto* steps = json::member(*doc, "steps");
    if (!steps || !steps->IsArray()) return {};
    for (const auto& s : steps->GetArray()) {
        const std::string status = json::str(s, "status");
        if (status == "failed" || status == "timed_out" || status == "interrupted") return json::str(s, "id");
    }
    return {};
}

}  // namespace

std::string mask_secrets(std::string text, std::vector<std::string> secrets) {
    std::sort(secrets.begin(), secrets.end(),
              [](const auto& a, const auto& b) { return a.size() > b.size(); });
    for (const auto& s : secrets) {
        if (s.size() < 4) continue;  // "***" for "a" would mask every a
        for (auto at = text.find(s); at != std::string::npos; at = text.find(s, at + 3))
            text.replace(at, s.size(), "***");
    }
    return text;
}

std::string diagnose_prompt(const DiagnoseInput& in) {
    const std::string failed_step = failed_step_of(in.record_json);
    std::string p = fmt::format(
        "A run of the Dark Factory skill `{}` failed. Explain why, as precisely as the evidence allows, and "
        "propose a fix. When the fix is a change to the workflow's Markdown, give it as a unified diff in a "
        "```diff block against the workflow text below.\n\n",
        in.skill);
    p += fmt::format("## The run record ({})\nSecret inputs are shown as \"***\".\n```json\n{}\n```\n\n",
                     in.run_id, trim(in.record_json));
    p += fmt::format("## The failed step\n{}\n",
                     failed_step.empty() ? "No step failed: the run failed before or after its steps.\n"
                                         : failed_step_section(in, failed_step));
    p += log_section(in);
    p += guardrails_section(in);
    p += deployments_section(in);
    if (!in.workflow_text.empty())
        p += "## The workflow (Markdown)\n```markdown\n" + truncate_utf8(in.workflow_text, kWorkflowBytes) +
             "\n```\n";
    return mask_secrets(std::move(p), in.secrets);
}

Diagnosis parse_diagnosis(const std::string& reply) {
    Diagnosis d{reply, {}};
    const auto open = reply.rfind("```diff\n");
    if (open == std::string::npos) return d;
    const auto body = open + 8;
    const auto close = reply.find("\n```", body);
    if (close == std::string::npos) return d;
    d.diff = reply.substr(body, close - body + 1);
    return d;
}

}  // namespace df::monitor
