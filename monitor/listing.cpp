#include "monitor/listing.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "monitor/json.h"
#include "monitor/runs_view.h"
#include "monitor/table.h"
#include "monitor/timefmt.h"

namespace df::monitor {

namespace {

AppRow row_for_app(const coolify::Application& app) {
    AppRow row;
    row.app = app.name;
    row.skill = app.name.substr(kAppPrefix.size());
    row.uuid = app.uuid;
    row.status = app.status;
    row.health = classify_status(app.status);
    row.domain = first_domain(app.fqdn);
    row.in_coolify = true;
    return row;
}

std::string short_commit(std::string_view commit) {
    return std::string(commit.substr(0, 7));
}

std::string note_for(const AppRow& row) {
    if (!row.in_coolify) return "missing in Coolify";
    if (!row.registered) return "not in registry";
    return {};
}

struct Counts {
    int healthy = 0, unwell = 0, missing = 0, unregistered = 0;
};

Counts count(const Listing& listing) {
    Counts c;
    for (const auto& row : listing.apps) {
        if (!row.in_coolify)
            ++c.missing;
        else if (is_ok(row.health))
            ++c.healthy;
        else
            ++c.unwell;
        if (!row.registered) ++c.unregistered;
    }
    return c;
}

void write_last(JsonOut& j, std::string_view key, const LastDeployment& last) {
    if (last.at.empty() && last.commit.empty() && last.result.empty()) {
        j.null_field(key);
        return;
    }
    j.begin_object(key)
        .field_or_null("at", last.at)
        .field_or_null("commit", last.commit)
        .field_or_null("status", last.result)
        .end_object();
}

}  // namespace

LastDeployment last_deployment(const SkillRecord& record) {
    if (record.history.empty()) return {record.updated_at, record.commit, record.status};
    const DeployRecord& newest = record.history.back();
    return {newest.finished_at.empty() ? newest.started_at : newest.finished_at, newest.commit,
            newest.status};
}

Listing build_listing(const std::vector<coolify::Application>& apps, const Registry& registry) {
    std::map<std::string, AppRow> rows;  // by app name: sorted, and one row per name
    for (const auto& app : apps) {
        if (is_df_app(app.name)) rows.try_emplace(app.name, row_for_app(app));
    }
    for (const auto& [skill, record] : registry.skills) {
        const std::string app = record.app_name.empty() ? std::string(kAppPrefix) + skill : record.app_name;
        const bool removed = record.status == "removed";
        // A removed skill is not missing: it is gone on purpose. Only an app Coolify still lists (its
        // deletion is queued) keeps a row, marked removed.
        if (removed && !rows.count(app)) continue;
        auto [it, inserted] = rows.try_emplace(app);
        AppRow& row = it->second;
        if (inserted) {
            row.app = app;
            row.health = Health::missing;
            row.domain = first_domain(record.fqdn);
        }
        row.skill = skill;
        row.registered = true;
        row.removed = removed;
        row.last = last_deployment(record);
    }
    Listing listing;
    for (auto& [name, row] : rows) listing.apps.push_back(std::move(row));
    std::sort(listing.apps.begin(), listing.apps.end(),
              [](const AppRow& a, const AppRow& b) { return a.skill < b.skill; });
    return listing;
}

void attach_latest(Listing& listing, const std::vector<std::pair<std::string, coolify::Deployment>>& latest) {
    std::map<std::string, const coolify::Deployment*> by_uuid;
    for (const auto& [uuid, d] : latest) by_uuid[uuid] = &d;
    for (auto& row : listing.apps) {
        const auto it = by_uuid.find(row.uuid);
        if (it == by_uuid.end()) continue;
        const auto& d = *it->second;
        row.latest = {d.finished_at.empty() ? d.created_at : d.finished_at, d.commit, d.status};
    }
}

std::string render_listing(const Listing& listing, const Style& style) {
    const bool with_latest = std::any_of(listing.apps.begin(), listing.apps.end(),
                                         [](const AppRow& r) { return !r.latest.result.empty(); });
    Table table{{"NAME", "STATUS", "DOMAIN", "DEPLOYED", "COMMIT", "RESULT"}, {}};
    if (with_latest) table.headers.insert(table.headers.end(), {"COOLIFY LATEST", "AT"});
    const bool with_runs = std::any_of(listing.apps.begin(), listing.apps.end(),
                                       [](const AppRow& r) { return !r.last_run.status.empty(); });
    if (with_runs) table.headers.insert(table.headers.end(), {"LAST RUN", "RUN AT"});
    table.headers.push_back("NOTE");
    for (const auto& row : listing.apps) {
        const Tone tone = health_tone(row.health);
        std::vector<Cell> cells{{row.skill},
                                {row.in_coolify ? row.status : "missing", tone, true},
                                {row.domain},
                                {format_timestamp(row.last.at)},
                                {short_commit(row.last.commit)},
                                {row.last.result}};
        if (with_latest) cells.insert(cells.end(), {{row.latest.result}, {format_timestamp(row.latest.at)}});
        if (with_runs) {
            cells.push_back(
                {row.last_run.status, run_tone(row.last_run.status), !row.last_run.status.empty()});
            cells.push_back({format_timestamp(row.last_run.at)});
        }
        const std::string note = note_for(row);
        cells.push_back({note, note.empty() ? Tone::plain : Tone::warn});
        table.rows.push_back(std::move(cells));
    }
    std::string out = listing.apps.empty() ? "No df-* apps in Coolify and none in the registry.\n"
                                           : render_table(table, style);
    const Counts c = count(listing);
    if (!listing.apps.empty()) {
        out += fmt::format("\n{} apps: {} healthy, {} not healthy", listing.apps.size() - c.missing,
                           c.healthy, c.unwell);
        if (c.missing > 0) out += fmt::format("; {} in the registry but missing in Coolify", c.missing);
        if (c.unregistered > 0) out += fmt::format("; {} not in the registry", c.unregistered);
        out += "\n";
    }
    return out;
}

std::string listing_json(const Listing& listing, bool pretty) {
    JsonOut j(pretty);
    j.begin_object().begin_array("apps");
    for (const auto& row : listing.apps) {
        j.begin_object()
            .field("name", row.skill)
            .field("app", row.app)
            .field_or_null("uuid", row.uuid)
            .field_or_null("status", row.status)
            .field("health", health_name(row.health))
            .field("ok", row.in_coolify && is_ok(row.health))
            .field_or_null("domain", row.domain)
            .field("in_coolify", row.in_coolify)
            .field("registered", row.registered);
        write_last(j, "last_deployment", row.last);
        if (!row.latest.result.empty()) write_last(j, "coolify_latest", row.latest);
        write_last_run(j, row.last_run);
        j.end_object();
    }
    j.end_array();
    const Counts c = count(listing);
    j.begin_object("summary")
        .field("apps", static_cast<int>(listing.apps.size()) - c.missing)
        .field("healthy", c.healthy)
        .field("not_healthy", c.unwell)
        .field("missing", c.missing)
        .field("unregistered", c.unregistered)
        .end_object();
    j.begin_array("warnings");
    for (const auto& w : listing.warnings) j.value(w);
    j.end_array().end_object();
    return j.str();
}

}  // namespace df::monitor
