// The stand-in's answers in Coolify's shapes: JSON of apps and deployments (serializeApiResponse), and
// request validation with Laravel's error shapes.
#include "tests/standins/coolify/shapes.h"

#include <regex>

#include <fmt/format.h>

#include "common/text.h"

namespace standin {

using df::json::Object;
using df::json::Scalar;
using Value = rapidjson::Value;

void reply(httplib::Response& res, int status, const std::string& body) {
    res.status = status;
    res.set_content(body, "application/json");
}
void message(httplib::Response& res, int status, const std::string& text) {
    reply(res, status, df::json::to_string(Object().set("message", text)));
}

std::string status_text(const std::string& s) {
    return s.find(':') == std::string::npos ? s + ":unhealthy" : s;
}

// Keys sorted, then uuid/description/name first and created_at/updated_at last (serializeApiResponse).
std::string app_json(const App& a, bool with_settings, bool sensitive) {
    std::map<std::string, std::string> m;
    for (const auto& [k, v] : a.fields.fields) m[k] = df::json::to_string(v);
    m["status"] = df::json::quote(status_text(a.status));
    m["server_status"] = "true";
    m["last_online_at"] = df::json::quote(a.updated_at);
    m.erase("is_auto_deploy_enabled");
    m.erase("instant_deploy");
    if (!sensitive) m.erase("dockerfile");
    if (with_settings) {
        const auto* ad = a.fields.find("is_auto_deploy_enabled");
        m["settings"] = fmt::format(
            "{{\"is_auto_deploy_enabled\":{},\"is_force_https_enabled\":true,\"docker_images_to_keep\":2}}",
            ad ? df::json::to_string(*ad) : "true");
    }
    std::string out = "{";
    auto add = [&](const std::string& k, const std::string& v) {
        out += (out.size() > 1 ? "," : "") + df::json::quote(k) + ":" + v;
    };
    add("uuid", df::json::quote(a.uuid));
    add("description", m.count("description") ? m["description"] : "null");
    add("name", m.count("name") ? m["name"] : "null");
    for (const auto& [k, v] : m) {
        if (k != "description" && k != "name") add(k, v);
    }
    add("created_at", df::json::quote(a.created_at));
    add("updated_at", df::json::quote(a.updated_at));
    return out + "}";
}

namespace {

std::string logs_json(const Deployment& d) {
    std::string out = "[";
    for (std::size_t i = 0; i < d.logs.size(); ++i) {
        const auto& e = d.logs[i];
        Object o;
        o.set("command", e.command.empty() ? Scalar(nullptr) : Scalar(e.command)).set("output", e.output);
        o.set("type", e.type).set("timestamp", e.timestamp).set("hidden", e.hidden).set("batch", e.batch);
        if (e.order) o.set("order", e.order);
        out += (i ? "," : "") + df::json::to_string(o);
    }
    return out + "]";
}

}  // namespace

std::string deployment_json(const Deployment& d, bool sensitive) {
    Object o;
    o.set("id", std::int64_t(1)).set("application_id", std::int64_t(1)).set("deployment_uuid", d.uuid);
    o.set("application_name", d.app_name).set("server_id", std::int64_t(0)).set("server_name", "localhost");
    o.set("status", d.status).set("commit", d.commit);
    o.set("commit_message", d.commit_message.empty() ? Scalar(nullptr) : Scalar(d.commit_message));
    o.set("pull_request_id", std::int64_t(0))
        .set("force_rebuild", d.force_rebuild)
        .set("restart_only", false);
    o.set("rollback", d.rollback).set("is_webhook", false).set("is_api", d.is_api);
    o.set("deployment_url",
          fmt::format("/project/p/environment/e/application/{}/deployment/{}", d.app_uuid, d.uuid));
    o.set("finished_at", d.finished_at.empty() ? Scalar(nullptr) : Scalar(d.finished_at));
    o.set("created_at", d.created_at).set("updated_at", d.updated_at);
    if (sensitive) o.set("logs", logs_json(d));
    return df::json::to_string(o);
}

// --- Validation with Laravel's shapes ----------------------------------------------------------------

namespace {

const FieldRule kAppFields[] = {
    {"name", Kind::string, nullptr},
    {"description", Kind::string, nullptr},
    {"git_repository", Kind::string, nullptr},
    {"git_branch", Kind::string, "^[A-Za-z0-9._/\\-]+$"},
    {"git_commit_sha", Kind::string, "^[a-zA-Z0-9][a-zA-Z0-9._\\-/]*$"},
    {"build_pack", Kind::string, "^(nixpacks|railpack|static|dockerfile|dockercompose)$"},
    {"ports_exposes", Kind::string, "^(\\d+)(,\\d+)*$"},
    {"base_directory", Kind::string, "^/([a-zA-Z0-9._\\-/~@+]*)?$"},
    {"dockerfile_location", Kind::string, "^/[a-zA-Z0-9._\\-/~@+]+$"},
    {"domains", Kind::string, nullptr},
    {"autogenerate_domain", Kind::boolean, nullptr},
    {"force_domain_override", Kind::boolean, nullptr},
    {"instant_deploy", Kind::boolean, nullptr},
    {"is_auto_deploy_enabled", Kind::boolean, nullptr},
    {"is_force_https_enabled", Kind::boolean, nullptr},
    {"health_check_enabled", Kind::boolean, nullptr},
    {"health_check_path", Kind::string, "^[a-zA-Z0-9/\\-_.~%,;]+$"},
    {"health_check_port", Kind::integer, nullptr},
    {"health_check_host", Kind::string, "^[a-zA-Z0-9.\\-_]+$"},
    {"health_check_method", Kind::string, "^(GET|HEAD|POST|OPTIONS)$"},
    {"health_check_scheme", Kind::string, "^(http|https)$"},
    {"health_check_return_code", Kind::integer, nullptr},
    {"health_check_interval", Kind::integer, nullptr},
    {"health_check_timeout", Kind::integer, nullptr},
    {"health_check_retries", Kind::integer, nullptr},
    {"health_check_start_period", Kind::integer, nullptr},
    {"limits_memory", Kind::string, "^[0-9]+[bkmg]?$"},
    {"limits_cpus", Kind::string, nullptr},
    {"is_container_label_escape_enabled", Kind::boolean, nullptr},
};
}  // namespace

const std::set<std::string> kCreateOnly = {
    "project_uuid",     "server_uuid",      "environment_name", "environment_uuid",
    "destination_uuid", "private_key_uuid", "github_app_uuid",  "tags"};

const FieldRule* rule(const std::string& name) {
    for (const auto& r : kAppFields) {
        if (name == r.name) return &r;
    }
    return nullptr;
}

std::string errors_json(const Errors& errors) {
    std::string out = R"({"message":"Validation failed.","errors":{)";
    bool first = true;
    for (const auto& [k, list] : errors) {
        out += (first ? "" : ",") + df::json::quote(k) + ":" + df::json::to_string(Scalar(list));
        first = false;
    }
    return out + "}}";
}

namespace {

// ValidGitRepositoryUrl: https/http/git URL or git@host:path; no IP or local hosts; no shell characters.
bool valid_git_url(const std::string& url) {
    static const std::regex scp(R"(^git@([A-Za-z0-9.\-]+):[A-Za-z0-9._~/\-]+$)");
    static const std::regex web(R"(^(https?|git)://([A-Za-z0-9.\-]+)(:\d+)?/[A-Za-z0-9._~/\-]+$)");
    std::smatch m;
    std::string host;
    if (std::regex_match(url, m, scp))
        host = m[1];
    else if (std::regex_match(url, m, web))
        host = m[2];
    else
        return false;
    static const std::regex ip(R"(^\d+\.\d+\.\d+\.\d+$)");
    return !std::regex_match(host, ip) && host != "localhost" && !df::to_lower(host).ends_with(".local");
}

bool valid_domains(const std::string& s) {
    static const std::regex url(R"(^https?://[A-Za-z0-9.\-]+(:\d+)?(/[A-Za-z0-9._~/\-]*)?$)");
    for (auto part : df::split(s, ',')) {
        if (!std::regex_match(std::string(df::trim(part)), url)) return false;
    }
    return true;
}

}  // namespace

// Checks one field's type and pattern; stores it in `into` when valid.
void check_field(const std::string& key, const Value& v, const FieldRule& r, Errors& errors, Object& into) {
    auto bad = [&](std::string why) { errors[key].push_back(std::move(why)); };
    switch (r.kind) {
        case Kind::boolean:
            if (v.IsBool())
                into.set(key, v.GetBool());
            else if (v.IsInt() && (v.GetInt() == 0 || v.GetInt() == 1))
                into.set(key, v.GetInt() == 1);
            else
                bad(fmt::format("The {} field must be true or false.", df::collapse_whitespace(key)));
            return;
        case Kind::integer:
            if (v.IsInt64())
                into.set(key, v.GetInt64());
            else
                bad(fmt::format("The {} field must be an integer.", key));
            return;
        case Kind::strings:
            return;
        case Kind::string:
            if (!v.IsString()) return bad(fmt::format("The {} field must be a string.", key));
            const std::string s(v.GetString(), v.GetStringLength());
            if (r.pattern && !std::regex_match(s, std::regex(r.pattern))) {
                return bad(fmt::format("The {} field format is invalid.", key));
            }
            if (key == "git_repository" && !valid_git_url(s))
                return bad("The git repository URL format is invalid.");
            if (key == "domains" && !s.empty() && !valid_domains(s))
                return bad("The domains field format is invalid.");
            if (key == "domains")
                into.set("fqdn", s);
            else
                into.set(key, s);
    }
}

// validateIncomingRequest: JSON content type, valid JSON, not empty.
std::optional<rapidjson::Document> body_json(const httplib::Request& req, httplib::Response& res) {
    auto invalid = [&](const char* why) {
        reply(res, 400, fmt::format(R"({{"message":"Invalid request.","error":"{}"}})", why));
        return std::nullopt;
    };
    if (req.get_header_value("Content-Type").find("application/json") == std::string::npos) {
        return invalid("Content-Type must be application/json.");
    }
    rapidjson::Document doc;
    doc.Parse(req.body.c_str(), req.body.size());
    if (doc.HasParseError() || !doc.IsObject()) return invalid("Invalid JSON.");
    if (doc.MemberCount() == 0) return invalid("Empty JSON.");
    return doc;
}

std::vector<std::string> segments(const std::string& path) {
    std::vector<std::string> out;
    for (auto s : df::split(path, '/')) {
        if (!s.empty()) out.emplace_back(s);
    }
    return out;
}

}  // namespace standin
