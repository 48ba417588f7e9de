// The stand-in's Coolify API v1 routes (reference/coolify.md): apps, environment variables, deployments,
// rollback, with Coolify's validation and answers.
#include <algorithm>
#include <cstdlib>
#include <regex>

#include <fmt/format.h>

#include "common/text.h"
#include "tests/standins/coolify/server.h"
#include "tests/standins/coolify/shapes.h"

namespace standin {

using df::json::Object;
using df::json::Scalar;

// The route table: one branch per endpoint, in the order of Coolify's routes/api.php. Longer than 80 lines on
// purpose: it reads top to bottom as the list of what the stand-in answers; each branch is a few lines or a
// call to its handler below.
void Server::api(const httplib::Request& req, httplib::Response& res, const std::string& path) {
    const auto seg = segments(path);
    const std::string& m = req.method;
    const auto& v = state_.version();
    const bool sensitive = state_.options().sensitive;
    auto not_found = [&] { reply(res, 404, R"({"message":"Not found.","docs":"https://coolify.io/docs"})"); };
    std::lock_guard lock(state_.mutex());

    if (seg.size() == 1 && seg[0] == "version" && m == "GET") {
        res.set_content(state_.options().version, "text/html; charset=UTF-8");
        return;
    }
    if (seg.size() == 1 && seg[0] == "applications" && m == "GET") return list_apps(req, res);
    if (seg.size() == 2 && seg[0] == "applications" && m == "POST" &&
        (seg[1] == "public" || seg[1] == "private-deploy-key" || seg[1] == "private-github-app")) {
        return create_app(req, res, seg[1]);
    }
    if (seg.size() == 1 && seg[0] == "deploy") {
        if (m == "POST" || (m == "GET" && !v.at_least(df::coolify::Version::of(4, 2, 0))))
            return deploy(req, res);
        if (m == "GET") {
            res.set_header("Allow", "POST");
            return message(res, 405, "This endpoint has changed to a POST request.");
        }
        return not_found();
    }
    if (seg.size() >= 2 && seg[0] == "applications") {
        App* a = state_.app(seg[1]);
        if (!a) return message(res, 404, "Application not found.");
        if (seg.size() == 2 && m == "GET") return reply(res, 200, app_json(*a, true, sensitive));
        if (seg.size() == 2 && m == "PATCH") return patch_app(req, res, *a);
        if (seg.size() == 2 && m == "DELETE") {
            const std::string uuid = a->uuid;
            auto& apps = state_.apps();
            apps.erase(std::remove_if(apps.begin(), apps.end(), [&](const App& x) { return x.uuid == uuid; }),
                       apps.end());
            return message(res, 200, "Application deletion request queued.");
        }
        if (seg.size() == 3 && seg[2] == "envs" && m == "GET") {
            std::string out = "[";
            for (const auto& e : a->envs) {
                Object o;
                o.set("uuid", e.uuid).set("key", e.key);
                o.set("value", sensitive && !e.is_shown_once ? Scalar(e.value) : Scalar(nullptr));
                o.set("is_literal", e.is_literal).set("is_multiline", false).set("is_preview", e.is_preview);
                o.set("is_runtime", e.is_runtime).set("is_buildtime", e.is_buildtime).set("is_shared", false);
                o.set("is_shown_once", e.is_shown_once);
                out += (out.size() > 1 ? "," : "") + df::json::to_string(o);
            }
            return reply(res, 200, out + "]");
        }
        if (seg.size() == 4 && seg[2] == "envs" && seg[3] == "bulk" && m == "PATCH")
            return bulk_envs(req, res, *a);
        if (seg.size() == 4 && seg[2] == "envs" && m == "DELETE") {
            auto& envs = a->envs;
            const auto before = envs.size();
            envs.erase(
                std::remove_if(envs.begin(), envs.end(), [&](const Env& e) { return e.uuid == seg[3]; }),
                envs.end());
            if (envs.size() == before) return message(res, 404, "Environment variable not found.");
            return message(res, 200, "Environment variable deleted.");
        }
        if (seg.size() == 3 && seg[2] == "logs" && m == "GET" && v.has_app_logs()) {
            if (df::coolify::AppState::parse(status_text(a->status)).state != "running") {
                return message(res, 400, "Application is not running.");
            }
            // Like `docker logs -n N`: the last `lines` lines (default 100, at most 10000).
            long lines =
                req.has_param("lines") ? std::strtol(req.get_param_value("lines").c_str(), nullptr, 10) : 100;
            if (lines <= 0) lines = 100;
            lines = std::min(lines, 10000L);
            std::vector<std::string> log = a->runtime_log;
            if (log.empty()) {
                log = {fmt::format("[df] service {} listening on :9000", a->str("name")),
                       "[df] GET /hooks/health 200"};
            }
            std::string text;
            for (auto i = log.size() > static_cast<std::size_t>(lines) ? log.size() - lines : 0;
                 i < log.size(); ++i) {
                text += log[i] + "\n";
            }
            return reply(res, 200, df::json::to_string(Object().set("logs", text)));
        }
        if (seg.size() == 3 && seg[2] == "rollback" && m == "POST" && v.has_rollback_endpoint()) {
            return rollback(req, res, *a);
        }
        return not_found();
    }
    if (seg.size() == 1 && seg[0] == "deployments" && m == "GET") {
        std::string out = "[";
        for (const auto& d : state_.deployments()) {
            if (d.status == "queued" || d.status == "in_progress") {
                out += (out.size() > 1 ? "," : "") + deployment_json(d, sensitive);
            }
        }
        return reply(res, 200, out + "]");
    }
    if (seg.size() == 3 && seg[0] == "deployments" && seg[1] == "applications" && m == "GET" &&
        v.has_deployments_by_app()) {
        if (!state_.app(seg[2])) return message(res, 404, "Application not found.");
        const int skip =
            req.has_param("skip") ? std::max(0, std::atoi(req.get_param_value("skip").c_str())) : 0;
        const int take =
            req.has_param("take") ? std::max(1, std::atoi(req.get_param_value("take").c_str())) : 10;
        std::vector<const Deployment*> mine;
        for (auto it = state_.deployments().rbegin(); it != state_.deployments().rend(); ++it) {
            if (it->app_uuid == seg[2]) mine.push_back(&*it);
        }
        std::string list;
        for (int i = skip; i < static_cast<int>(mine.size()) && i < skip + take; ++i) {
            list += (list.empty() ? "" : ",") + deployment_json(*mine[i], sensitive);
        }
        return reply(res, 200, fmt::format(R"({{"count":{},"deployments":[{}]}})", mine.size(), list));
    }
    if (seg.size() == 2 && seg[0] == "deployments" && m == "GET") {
        const Deployment* d = state_.deployment(seg[1]);
        if (!d) return message(res, 404, "Deployment not found.");
        return reply(res, 200, deployment_json(*d, sensitive));
    }
    if (seg.size() == 3 && seg[0] == "deployments" && seg[2] == "cancel" && m == "POST") {
        Deployment* d = state_.deployment(seg[1]);
        if (!d) return message(res, 404, "Deployment not found.");
        if (d->status != "queued" && d->status != "in_progress") {
            return message(res, 400, "Deployment cannot be cancelled. Current status: " + d->status);
        }
        d->status = "cancelled-by-user";
        d->finished_at = d->updated_at = now_text();
        state_.log(*d, "Deployment cancelled by user.");
        return reply(
            res, 200,
            fmt::format(
                R"({{"message":"Deployment cancelled successfully.","deployment_uuid":"{}","status":"cancelled-by-user"}})",
                d->uuid));
    }
    not_found();
}

void Server::list_apps(const httplib::Request& req, httplib::Response& res) {
    const std::string tag = req.has_param("tag") ? req.get_param_value("tag") : "";
    std::string out = "[";
    for (const auto& a : state_.apps()) {
        if (!tag.empty() && std::find(a.tags.begin(), a.tags.end(), tag) == a.tags.end()) continue;
        out += (out.size() > 1 ? "," : "") + app_json(a, false, state_.options().sensitive);
    }
    reply(res, 200, out + "]");
}

void Server::create_app(const httplib::Request& req, httplib::Response& res, const std::string& kind) {
    auto doc = body_json(req, res);
    if (!doc) return;
    const auto& v = state_.version();
    Errors errors;
    for (const auto& mem : doc->GetObject()) {
        const std::string key = mem.name.GetString();
        const bool allowed = rule(key) || (kCreateOnly.count(key) && (key != "tags" || v.accepts_tags()) &&
                                           (key != "private_key_uuid" || kind == "private-deploy-key") &&
                                           (key != "github_app_uuid" || kind == "private-github-app"));
        if (!allowed) errors[key].push_back("This field is not allowed.");
    }
    if (!errors.empty()) return reply(res, 422, errors_json(errors));
    if (!doc->HasMember("environment_name") && !doc->HasMember("environment_uuid")) {
        return message(res, 422, "You need to provide at least one of environment_name or environment_uuid.");
    }
    std::vector<std::string> required = {"project_uuid", "server_uuid", "git_repository", "git_branch",
                                         "build_pack"};
    if (v.requires_ports_exposes()) required.push_back("ports_exposes");
    if (kind == "private-deploy-key") required.push_back("private_key_uuid");
    if (kind == "private-github-app") required.push_back("github_app_uuid");
    for (const auto& r : required) {
        if (!doc->HasMember(r.c_str()))
            errors[r].push_back(fmt::format("The {} field is required.", df::collapse_whitespace(r)));
    }
    App app;
    for (const auto& mem : doc->GetObject()) {
        const std::string key = mem.name.GetString();
        if (const FieldRule* r = rule(key)) check_field(key, mem.value, *r, errors, app.fields);
    }
    if (!errors.empty()) return reply(res, 422, errors_json(errors));
    if (df::json::str(*doc, "project_uuid") != state_.options().project_uuid)
        return message(res, 404, "Project not found.");
    if (df::json::str(*doc, "server_uuid") != state_.options().server_uuid)
        return message(res, 404, "Server not found.");
    const std::string env = df::json::str(*doc, "environment_name");
    if (!env.empty() && env != "production" && env != "staging")
        return message(res, 404, "Environment not found.");
    const std::string fqdn = app.str("fqdn");
    if (!fqdn.empty() && !df::json::opt_bool(*doc, "force_domain_override").value_or(false)) {
        for (const auto& other : state_.apps()) {
            if (other.str("fqdn") == fqdn) {
                return reply(
                    res, 409,
                    fmt::format(
                        R"({{"message":"Domain conflicts detected. Use force_domain_override=true to proceed.","conflicts":[{{"domain":{},"resource_name":{},"resource_uuid":"{}","resource_type":"application","message":"Domain is already in use"}}]}})",
                        df::json::quote(fqdn), df::json::quote(other.str("name")), other.uuid));
            }
        }
    }
    app.uuid = new_uuid();
    if (app.str("name").empty())
        app.fields.set("name",
                       fmt::format("{}:{}-{}", app.str("git_repository"), app.str("git_branch"), app.uuid));
    if (!app.fields.find("git_commit_sha")) app.fields.set("git_commit_sha", "HEAD");
    if (!app.fields.find("base_directory")) app.fields.set("base_directory", "/");
    if (!app.fields.find("health_check_enabled")) app.fields.set("health_check_enabled", false);
    if (!app.fields.find("health_check_path")) app.fields.set("health_check_path", "/");
    if (!app.fields.find("is_auto_deploy_enabled")) app.fields.set("is_auto_deploy_enabled", true);
    if (fqdn.empty()) {
        app.fields.set("fqdn", fmt::format("http://{}.127.0.0.1.sslip.io", app.uuid));
    }
    if (const auto* tags = df::json::member(*doc, "tags"); tags && tags->IsArray()) {
        for (const auto& t : tags->GetArray()) {
            if (t.IsString()) app.tags.push_back(df::to_lower(df::trim(t.GetString())));
        }
    }
    app.created_at = app.updated_at = now_text();
    state_.apps().push_back(app);
    if (df::json::opt_bool(*doc, "instant_deploy").value_or(false))
        state_.queue(state_.apps().back(), "HEAD", false, false);
    reply(res, 201,
          fmt::format(R"({{"uuid":"{}","domains":{}}})", app.uuid, df::json::quote(app.str("fqdn"))));
}

void Server::patch_app(const httplib::Request& req, httplib::Response& res, App& app) {
    auto doc = body_json(req, res);
    if (!doc) return;
    Errors errors;
    Object changes;
    for (const auto& mem : doc->GetObject()) {
        const std::string key = mem.name.GetString();
        if (const FieldRule* r = rule(key))
            check_field(key, mem.value, *r, errors, changes);
        else
            errors[key].push_back("This field is not allowed.");
    }
    if (!errors.empty()) return reply(res, 422, errors_json(errors));
    for (auto& [k, val] : changes.fields) {
        if (k != "instant_deploy") app.fields.set(k, val);
    }
    app.updated_at = now_text();
    if (df::json::opt_bool(*doc, "instant_deploy").value_or(false)) {
        if (state_.duplicate_of(app)) return message(res, 200, "Deployment already queued for this commit.");
        state_.queue(app, app.str("git_commit_sha"), false, false);
    }
    reply(res, 200, fmt::format(R"({{"uuid":"{}"}})", app.uuid));
}

void Server::bulk_envs(const httplib::Request& req, httplib::Response& res, App& app) {
    auto doc = body_json(req, res);
    if (!doc) return;
    const auto* data = df::json::member(*doc, "data");
    if (!data || !data->IsArray() || data->Empty()) return message(res, 400, "Bulk data is required.");
    static const std::set<std::string> allowed = {"key",        "value",        "is_preview",
                                                  "is_literal", "is_multiline", "is_shown_once",
                                                  "is_runtime", "is_buildtime", "comment"};
    static const std::regex key_rule("^[A-Za-z_][A-Za-z0-9_.]*$");
    std::string out = "[";
    for (const auto& item : data->GetArray()) {
        Errors errors;
        if (!item.IsObject()) return message(res, 422, "Validation failed.");
        for (const auto& mem : item.GetObject()) {
            if (!allowed.count(mem.name.GetString()))
                errors[mem.name.GetString()].push_back("This field is not allowed.");
        }
        const std::string key = df::json::str(item, "key");
        if (key.empty())
            errors["key"].push_back("The key field is required.");
        else if (!std::regex_match(key, key_rule))
            errors["key"].push_back("The key field format is invalid.");
        if (!errors.empty()) return reply(res, 422, errors_json(errors));  // earlier items stay saved
        Env* e = nullptr;
        for (auto& x : app.envs) {
            if (x.key == key) e = &x;
        }
        if (!e) {
            app.envs.push_back(Env{new_uuid(), key, ""});
            e = &app.envs.back();
        }
        e->value = df::json::str(item, "value");
        e->is_literal = df::json::opt_bool(item, "is_literal").value_or(e->is_literal);
        e->is_runtime = df::json::opt_bool(item, "is_runtime").value_or(e->is_runtime);
        e->is_buildtime = df::json::opt_bool(item, "is_buildtime").value_or(e->is_buildtime);
        e->is_shown_once = df::json::opt_bool(item, "is_shown_once").value_or(e->is_shown_once);
        out += (out.size() > 1 ? "," : "") +
               fmt::format(R"({{"uuid":"{}","key":{}}})", e->uuid, df::json::quote(key));
    }
    reply(res, 201, out + "]");
}

void Server::deploy(const httplib::Request& req, httplib::Response& res) {
    std::string uuids, tag, force_text;
    if (req.has_param("uuid")) uuids = req.get_param_value("uuid");
    if (req.has_param("tag")) tag = req.get_param_value("tag");
    if (req.has_param("force")) force_text = req.get_param_value("force");
    if (!req.body.empty()) {
        auto doc = body_json(req, res);
        if (!doc) return;
        if (uuids.empty()) uuids = df::json::str(*doc, "uuid");
        if (tag.empty()) tag = df::json::str(*doc, "tag");
        if (const auto* f = df::json::member(*doc, "force")) force_text = df::json::text(*f);
    }
    if (uuids.empty() && tag.empty()) return message(res, 400, "You must provide uuid or tag.");
    if (!uuids.empty() && !tag.empty()) return message(res, 400, "You can only use uuid or tag, not both.");
    // Before v4.2.0 any non-empty force value forced a rebuild, "false" included.
    const bool force = state_.version().at_least(df::coolify::Version::of(4, 2, 0))
                           ? (force_text == "true" || force_text == "1")
                           : !force_text.empty();
    if (state_.active_count() >= state_.options().queue_limit) {
        res.set_header("Retry-After", "60");
        return message(res, 429,
                       "Deployment queue is full. Please wait for existing deployments to complete.");
    }
    std::string items;
    for (auto part : df::split(uuids, ',')) {
        App* a = state_.app(std::string(df::trim(part)));
        if (!a) continue;  // unknown uuids are skipped silently
        std::string message_text, id;
        if (state_.duplicate_of(*a)) {
            message_text = "Deployment already queued for this commit.";
            id = new_uuid();  // generated before the dedupe check and never stored: the trap
        } else {
            const std::string commit = a->str("git_commit_sha").empty() ? "HEAD" : a->str("git_commit_sha");
            id = state_.queue(*a, commit, false, force).uuid;
            message_text = fmt::format("Application {} deployment queued.", a->str("name"));
        }
        items += (items.empty() ? "" : ",") +
                 fmt::format(R"({{"message":{},"resource_uuid":"{}","deployment_uuid":"{}"}})",
                             df::json::quote(message_text), a->uuid, id);
    }
    if (items.empty()) return message(res, 404, "No resources found.");
    reply(res, 200, fmt::format(R"({{"deployments":[{}]}})", items));
}

void Server::rollback(const httplib::Request& req, httplib::Response& res, App& app) {
    auto doc = body_json(req, res);
    if (!doc) return;
    Errors errors;
    for (const auto& mem : doc->GetObject()) {
        if (std::string(mem.name.GetString()) != "commit")
            errors[mem.name.GetString()].push_back("This field is not allowed.");
    }
    const std::string commit = df::json::str(*doc, "commit");
    if (!std::regex_match(commit, std::regex("^[a-zA-Z0-9][a-zA-Z0-9._\\-/]*$"))) {
        errors["commit"].push_back("The commit field format is invalid.");
    }
    if (!errors.empty()) return reply(res, 422, errors_json(errors));
    for (const auto& d : state_.deployments()) {
        if (d.app_uuid == app.uuid && (d.status == "queued" || d.status == "in_progress") &&
            d.commit == commit) {
            return message(res, 200, "Deployment already queued for this commit.");
        }
    }
    const auto& d = state_.queue(app, commit, true, false);
    reply(res, 200,
          fmt::format(R"({{"message":"Rollback deployment queued.","deployment_uuid":"{}"}})", d.uuid));
}

}  // namespace standin
