#include "monitor/registry_view.h"

#include <fmt/format.h>

#include "monitor/table.h"
#include "monitor/timefmt.h"

namespace df::monitor {

namespace {

Tone status_tone(std::string_view status) {
    if (status == "finished") return Tone::good;
    if (status == "removed" || status.empty()) return Tone::plain;
    if (status == "pending" || status == "deploying") return Tone::warn;
    return Tone::bad;
}

}  // namespace

void write_skill_record(JsonOut& j, std::string_view key, const SkillRecord& r) {
    j.begin_object(key)
        .field_or_null("app_uuid", r.app_uuid)
        .field_or_null("app_name", r.app_name)
        .field_or_null("fqdn", r.fqdn)
        .field_or_null("branch", r.branch)
        .field_or_null("commit", r.commit)
        .field_or_null("status", r.status)
        .field_or_null("updated_at", r.updated_at);
    j.begin_array("history");
    for (const auto& h : r.history) {
        j.begin_object()
            .field("id", h.id)
            .field("kind", h.kind)
            .field("status", h.status)
            .field_or_null("commit", h.commit)
            .field_or_null("deployment_uuid", h.deployment_uuid)
            .field_or_null("started_at", h.started_at)
            .field_or_null("finished_at", h.finished_at)
            .field_or_null("message", h.message)
            .end_object();
    }
    j.end_array().end_object();
}

std::string render_registry(const Registry& registry, const std::string& path, const Style& style) {
    if (registry.skills.empty()) return fmt::format("The registry {} records no skills.\n", path);
    Table t{{"NAME", "APP", "STATUS", "COMMIT", "UPDATED", "BRANCH", "DEPLOYS"}, {}};
    for (const auto& [name, r] : registry.skills) {
        t.rows.push_back({{name},
                          {r.app_name},
                          {r.status, status_tone(r.status), true},
                          {r.commit.substr(0, 7)},
                          {format_timestamp(r.updated_at)},
                          {r.branch},
                          {std::to_string(r.history.size())}});
    }
    return render_table(t, style) + fmt::format("\n{} skills in {}\n", registry.skills.size(), path);
}

std::string registry_json(const Registry& registry, const std::string& path) {
    JsonOut j;
    j.begin_object()
        .field("path", path)
        .field("schema_version", registry.schema_version)
        .begin_array("skills");
    for (const auto& [name, r] : registry.skills) {
        j.begin_object().field("name", name);
        write_skill_record(j, "record", r);
        j.end_object();
    }
    j.end_array().end_object();
    return j.str();
}

}  // namespace df::monitor
