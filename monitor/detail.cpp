#include "monitor/detail.h"

#include <fmt/format.h>

#include "monitor/json.h"
#include "monitor/model.h"
#include "monitor/registry_view.h"
#include "monitor/runs_view.h"
#include "monitor/status.h"
#include "monitor/table.h"
#include "monitor/timefmt.h"

namespace df::monitor {

namespace {

std::string yes_no(const std::optional<bool>& b) {
    return !b ? "" : *b ? "on" : "off";
}

Tone deployment_tone(std::string_view status) {
    if (status == "finished") return Tone::good;
    if (status == "failed" || status == "rollback_failed" || status == "timed_out") return Tone::bad;
    if (status == "cancelled-by-user" || status == "cancelled" || status == "interrupted") return Tone::warn;
    return Tone::plain;
}

// Key/value lines with the keys padded to one width.
std::string fields(const std::vector<std::pair<std::string, Cell>>& rows, const Style& style) {
    std::size_t width = 0;
    for (const auto& [key, cell] : rows) width = std::max(width, key.size());
    std::string out;
    for (const auto& [key, cell] : rows) {
        if (cell.text.empty()) continue;
        const std::string text = std::string(cell.marked ? mark(style, cell.tone) : "") + cell.text;
        out += fmt::format("  {:<{}}  {}\n", key, width, paint(style, cell.tone, text));
    }
    return out;
}

std::string probe_text(const Probe& p) {
    if (p.status == 0) return fmt::format("no answer: {}", p.error);
    return fmt::format("HTTP {} in {} ms", p.status, p.millis);
}

std::string app_section(const Detail& d, const Style& style) {
    if (!d.app) {
        return fmt::format(
            "{}: {}\n", d.app_name,
            paint(style, Tone::bad, std::string(mark(style, Tone::bad)) + "missing in Coolify"));
    }
    const auto& a = *d.app;
    const Health h = classify_status(a.status);
    std::vector<std::pair<std::string, Cell>> rows{
        {"status", {a.status, health_tone(h), true}},
        {"uuid", {a.uuid}},
        {"domain", {a.fqdn}},
        {"repository", {a.git_repository}},
        {"branch", {a.git_branch}},
        {"pinned commit", {a.git_commit_sha == "HEAD" ? "" : a.git_commit_sha}},
        {"build pack", {a.build_pack}},
        {"port", {a.ports_exposes}},
        {"health check",
         {a.health_check_enabled ? fmt::format("{} {}", yes_no(a.health_check_enabled), a.health_check_path)
                                 : ""}},
        {"auto deploy", {yes_no(a.is_auto_deploy_enabled)}},
        {"memory limit", {a.limits_memory == "0" ? "" : a.limits_memory}},
        {"last online", {format_timestamp(a.last_online_at)}},
    };
    if (d.probe)
        rows.push_back({"health hook", {probe_text(*d.probe), d.probe->ok() ? Tone::good : Tone::bad, true}});
    if (d.last_run)
        rows.push_back({"last run", {last_run_text(*d.last_run), run_tone(d.last_run->status), true}});
    return fmt::format("{}\n", a.name) + fields(rows, style);
}

std::string deployments_section(const Detail& d, const Style& style) {
    if (!d.app) return {};
    if (d.deployments.deployments.empty()) return "\nNo deployments in Coolify.\n";
    Table t{{"STATUS", "COMMIT", "STARTED", "FINISHED", "DURATION", "UUID"}, {}};
    for (const auto& dep : d.deployments.deployments) {
        t.rows.push_back({{dep.status, deployment_tone(dep.status), true},
                          {dep.commit.substr(0, 7)},
                          {format_timestamp(dep.created_at)},
                          {format_timestamp(dep.finished_at)},
                          {deployment_duration(dep, d.now)},
                          {dep.deployment_uuid}});
    }
    return fmt::format("\nDeployments ({} of {}, newest first)\n", d.deployments.deployments.size(),
                       d.deployments.count) +
           render_table(t, style);
}

std::string history_section(const Detail& d, const Style& style) {
    if (!d.record) return "\nThe registry does not know this skill.\n";
    const auto& h = d.record->history;
    if (h.empty()) return "\nRegistry: no deployments recorded.\n";
    Table t{{"STARTED", "KIND", "STATUS", "COMMIT", "MESSAGE"}, {}};
    const std::size_t first = h.size() > kRecentHistory ? h.size() - kRecentHistory : 0;
    for (std::size_t i = h.size(); i-- > first;) {
        t.rows.push_back({{format_timestamp(h[i].started_at)},
                          {h[i].kind},
                          {h[i].status, deployment_tone(h[i].status), true},
                          {h[i].commit.substr(0, 7)},
                          {h[i].message}});
    }
    return fmt::format("\nRegistry history ({} of {}, newest first; branch {})\n", h.size() - first, h.size(),
                       d.record->branch) +
           render_table(t, style);
}

void write_deployment(JsonOut& j, const coolify::Deployment& dep, std::int64_t now) {
    const auto start = parse_timestamp(dep.created_at);
    const auto end = parse_timestamp(dep.finished_at);
    std::optional<std::int64_t> seconds;
    if (start) seconds = (end ? *end : now) - *start;
    j.begin_object()
        .field("uuid", dep.deployment_uuid)
        .field("status", dep.status)
        .field_or_null("commit", dep.commit)
        .field_or_null("commit_message", dep.commit_message)
        .field_or_null("created_at", dep.created_at)
        .field_or_null("finished_at", dep.finished_at)
        .field("duration_seconds", seconds)
        .field("rollback", dep.rollback)
        .end_object();
}

void write_app(JsonOut& j, const coolify::Application& a) {
    const Health h = classify_status(a.status);
    j.begin_object("app")
        .field("uuid", a.uuid)
        .field("name", a.name)
        .field("status", a.status)
        .field("health", health_name(h))
        .field("ok", is_ok(h))
        .field_or_null("fqdn", a.fqdn)
        .field_or_null("git_repository", a.git_repository)
        .field_or_null("git_branch", a.git_branch)
        .field_or_null("git_commit_sha", a.git_commit_sha)
        .field_or_null("build_pack", a.build_pack)
        .field_or_null("ports_exposes", a.ports_exposes)
        .field_or_null("health_check_path", a.health_check_path);
    if (a.health_check_enabled)
        j.field("health_check_enabled", *a.health_check_enabled);
    else
        j.null_field("health_check_enabled");
    if (a.is_auto_deploy_enabled)
        j.field("is_auto_deploy_enabled", *a.is_auto_deploy_enabled);
    else
        j.null_field("is_auto_deploy_enabled");
    j.field_or_null("last_online_at", a.last_online_at).end_object();
}

}  // namespace

std::string app_name_for(std::string_view name) {
    return is_df_app(name) ? std::string(name) : std::string(kAppPrefix) + std::string(name);
}

std::string deployment_duration(const coolify::Deployment& d, std::int64_t now) {
    const auto start = parse_timestamp(d.created_at);
    if (!start) return {};
    if (const auto end = parse_timestamp(d.finished_at)) return format_duration(*end - *start);
    return d.active() ? "running " + format_duration(now - *start) : "";
}

std::string render_detail(const Detail& d, const Style& style) {
    return app_section(d, style) + deployments_section(d, style) + history_section(d, style);
}

std::string detail_json(const Detail& d) {
    JsonOut j;
    j.begin_object().field("name", d.skill).field("app_name", d.app_name);
    if (d.app)
        write_app(j, *d.app);
    else
        j.null_field("app");
    j.field("deployment_count", d.deployments.count).begin_array("deployments");
    for (const auto& dep : d.deployments.deployments) write_deployment(j, dep, d.now);
    j.end_array();
    if (d.record)
        write_skill_record(j, "registry", *d.record);
    else
        j.null_field("registry");
    if (d.probe) {
        j.begin_object("health_probe")
            .field("url", d.probe->url)
            .field("ok", d.probe->ok())
            .field("status", d.probe->status)
            .field_or_null("error", d.probe->error)
            .field("millis", d.probe->millis)
            .end_object();
    } else {
        j.null_field("health_probe");
    }
    write_last_run(j, d.last_run.value_or(LastRun{}));
    j.end_object();
    return j.str();
}

}  // namespace df::monitor
