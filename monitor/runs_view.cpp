#include "monitor/runs_view.h"

#include <fmt/format.h>

#include "common/json.h"
#include "common/text.h"
#include "monitor/json.h"
#include "monitor/table.h"
#include "monitor/timefmt.h"

namespace df::monitor {

namespace {

std::string duration_text(const std::optional<std::int64_t>& ms) {
    if (!ms) return "";
    if (*ms < 1000) return fmt::format("{}ms", *ms);
    return format_duration(*ms / 1000);
}

// One line of a step (or rollback step) of the record.
void add_step_rows(const rapidjson::Value& steps, const char* group, Table& table) {
    if (!steps.IsArray()) return;
    for (const auto& s : steps.GetArray()) {
        if (!s.IsObject()) continue;
        const std::string status = json::str(s, "status");
        std::string note = json::str(s, "error");
        if (note.empty()) note = json::str(s, "summary");
        const auto started = parse_timestamp(json::str(s, "started_at"));
        const auto ended = parse_timestamp(json::str(s, "ended_at"));
        const std::string took = started && ended ? format_duration(*ended - *started) : "";
        table.rows.push_back({{group},
                              {json::str(s, "id")},
                              {json::str(s, "kind")},
                              {status, run_tone(status), true},
                              {json::str(s, "attempts")},
                              {took},
                              {truncate_utf8(collapse_whitespace(note), 160)}});
    }
}

}  // namespace

void write_last_run(JsonOut& j, const LastRun& run) {
    if (run.status.empty()) {
        j.null_field("last_run");
        return;
    }
    j.begin_object("last_run").field_or_null("run_id", run.run_id).field("status", run.status);
    j.field_or_null("at", run.at)
        .field_or_null("failed_step", run.failed_step)
        .field_or_null("error", run.error);
    j.end_object();
}

std::string last_run_text(const LastRun& run) {
    if (run.status == "none") return "none recorded";
    if (run.status == "unknown") return "unknown: " + run.error;
    std::string text = run.status + " " + format_timestamp(run.at);
    if (!run.failed_step.empty()) text += ", step " + run.failed_step;
    return text + " (run " + run.run_id + ")";
}

Tone run_tone(std::string_view status) {
    if (status == "succeeded") return Tone::good;
    if (is_failed_status(status)) return Tone::bad;
    if (status == "skipped" || status == "pending" || status == "none") return Tone::dim;
    return Tone::warn;
}

std::string render_runs(const std::string& skill, const RunsPage& page, const Style& style) {
    if (page.runs.empty()) return fmt::format("{}: no runs recorded\n", skill);
    Table table{{"RUN", "STATUS", "TRIGGER", "STARTED", "DURATION", "FAILED STEP", "ERROR"}, {}};
    for (const auto& r : page.runs) {
        table.rows.push_back({{r.run_id},
                              {r.status, run_tone(r.status), true},
                              {r.trigger},
                              {format_timestamp(r.started_at)},
                              {duration_text(r.duration_ms)},
                              {r.failed_step},
                              {truncate_utf8(collapse_whitespace(r.error), 120)}});
    }
    std::string out = render_table(table, style);
    if (!page.next_before.empty())
        out += fmt::format("more: monitor {} --runs --before {}\n", skill, page.next_before);
    return out;
}

std::string runs_json(const std::string& skill, const RunsPage& page) {
    JsonOut j;
    j.begin_object().field("skill", skill).begin_array("runs");
    for (const auto& r : page.runs) {
        j.begin_object().field("run_id", r.run_id).field("status", r.status).field("trigger", r.trigger);
        j.field_or_null("version", r.version).field_or_null("started_at", r.started_at);
        j.field_or_null("ended_at", r.ended_at).field("duration_ms", r.duration_ms);
        j.field_or_null("failed_step", r.failed_step).field_or_null("error", r.error);
        j.field_or_null("approval", r.approval).end_object();
    }
    j.end_array().field_or_null("next_before", page.next_before).end_object();
    return j.str();
}

Result<std::string> render_run(const std::string& record_json, const Style& style) {
    auto doc = json::parse(record_json, "the run record", ExitCode::protocol);
    if (!doc) return doc.error();
    const auto& r = *doc;
    const std::string status = json::str(r, "status");
    std::string out = fmt::format("run      {}\n", json::str(r, "run_id"));
    out +=
        fmt::format("status   {}{}\n", mark(style, run_tone(status)), paint(style, run_tone(status), status));
    out += fmt::format("trigger  {}\nversion  {}\n", json::str(r, "trigger"), json::str(r, "version"));
    out += fmt::format("started  {}\nended    {}\n", format_timestamp(json::str(r, "started_at")),
                       format_timestamp(json::str(r, "ended_at", "-")));
    if (const auto* a = json::member(r, "approval"); a && a->IsObject())
        out += fmt::format("approval {}\n", json::str(*a, "status"));
    if (auto e = json::str(r, "error"); !e.empty())
        out += fmt::format("error    {}\n", collapse_whitespace(e));
    Table table{{"", "STEP", "KIND", "STATUS", "ATTEMPTS", "TOOK", "ERROR / SUMMARY"}, {}};
    if (const auto* steps = json::member(r, "steps")) add_step_rows(*steps, "step", table);
    if (const auto* rollback = json::member(r, "rollback")) add_step_rows(*rollback, "rollback", table);
    if (!table.rows.empty()) out += "\n" + render_table(table, style);
    return out;
}

}  // namespace df::monitor
