#include "monitor/logs_view.h"

#include <algorithm>

#include <fmt/format.h>

#include "monitor/detail.h"
#include "monitor/follow.h"
#include "monitor/json.h"
#include "monitor/timefmt.h"

namespace df::monitor {

namespace {

void write_entries(JsonOut& j, const std::vector<coolify::LogEntry>& entries) {
    j.begin_array("entries");
    for (const auto& e : entries) {
        j.begin_object()
            .field_or_null("timestamp", e.timestamp)
            .field("type", e.type.empty() ? "stdout" : e.type)
            .field("output", e.output)
            .field_or_null("command", e.command)
            .field("batch", e.batch)
            .field("order", e.order)
            .end_object();
    }
    j.end_array();
}

// The build log's members, written into the object the caller has opened.
void write_build_log(JsonOut& j, const BuildLog& log, std::int64_t now) {
    const auto& d = log.deployment;
    j.field("app", log.app_name);
    j.begin_object("deployment")
        .field("uuid", d.deployment_uuid)
        .field("status", d.status)
        .field_or_null("commit", d.commit)
        .field_or_null("created_at", d.created_at)
        .field_or_null("finished_at", d.finished_at)
        .field_or_null("duration", deployment_duration(d, now))
        .end_object();
    write_entries(j, log.entries);
}

}  // namespace

std::vector<coolify::LogEntry> visible_entries(std::vector<coolify::LogEntry> entries) {
    entries.erase(std::remove_if(entries.begin(), entries.end(), [](const auto& e) { return e.hidden; }),
                  entries.end());
    return entries;
}

std::string render_build_log(const BuildLog& log, const Style& style, std::int64_t now) {
    const auto& d = log.deployment;
    const Tone tone = d.status == "finished" ? Tone::good : d.status == "failed" ? Tone::bad : Tone::warn;
    std::string out = fmt::format("Deployment {} of {}: {}", d.deployment_uuid, log.app_name,
                                  paint(style, tone, std::string(mark(style, tone)) + d.status));
    if (!d.commit.empty()) out += fmt::format(", commit {}", d.commit.substr(0, 12));
    if (!d.created_at.empty()) out += fmt::format(", started {}", format_timestamp(d.created_at));
    if (const auto took = deployment_duration(d, now); !took.empty()) out += fmt::format(", {}", took);
    out += "\n";
    if (log.entries.empty()) out += "(no build log entries)\n";
    for (const auto& e : log.entries) {
        for (const auto& line : split_lines(e.output)) {
            out += (e.type == "stderr" ? paint(style, Tone::bad, line) : line) + "\n";
        }
    }
    return out;
}

std::string build_log_json(const BuildLog& log, std::int64_t now) {
    JsonOut j;
    j.begin_object();
    write_build_log(j, log, now);
    j.end_object();
    return j.str();
}

std::string render_runtime_logs(const RuntimeLogs& logs, const Style& style, std::int64_t now) {
    if (logs.running) {
        std::string out;
        for (const auto& line : logs.lines) out += line + "\n";
        return out;
    }
    std::string out = fmt::format("{} is {}: a stopped app has no runtime logs.\n", logs.app_name,
                                  paint(style, Tone::bad, logs.status));
    if (!logs.stopped_build_log) return out + "It has no deployments either.\n";
    return out + "The last deployment's build log follows.\n\n" +
           render_build_log(*logs.stopped_build_log, style, now);
}

std::string runtime_logs_json(const RuntimeLogs& logs, std::int64_t now) {
    JsonOut j;
    j.begin_object()
        .field("app", logs.app_name)
        .field("uuid", logs.app_uuid)
        .field("status", logs.status)
        .field("running", logs.running)
        .begin_array("lines");
    for (const auto& line : logs.lines) j.value(line);
    j.end_array();
    if (logs.stopped_build_log) {
        j.begin_object("build_log");
        write_build_log(j, *logs.stopped_build_log, now);
        j.end_object();
    } else {
        j.null_field("build_log");
    }
    j.end_object();
    return j.str();
}

}  // namespace df::monitor
