// /_standin/… : how tests set up and inspect the stand-in (no token needed; loopback only).
#include <fmt/format.h>

#include "common/text.h"
#include "tests/standins/coolify/server.h"

namespace standin {
namespace {

void send(httplib::Response& res, int status, const std::string& body) {
    res.status = status;
    res.set_content(body, "application/json");
}

std::string state_json(State& state) {
    std::string apps, deps;
    for (const auto& a : state.apps()) {
        std::string envs;
        for (const auto& e : a.envs) {
            envs += (envs.empty() ? "" : ",") + fmt::format(R"({{"key":{},"value":{},"is_literal":{}}})",
                                                            df::json::quote(e.key), df::json::quote(e.value),
                                                            e.is_literal);
        }
        df::json::Object o = a.fields;
        o.set("uuid", a.uuid).set("status", a.status).set("running_commit", a.running_commit);
        o.set("tags", a.tags);
        std::string text = df::json::to_string(o);
        text.pop_back();
        apps += (apps.empty() ? "" : ",") + text + ",\"envs\":[" + envs + "]}";
    }
    for (const auto& d : state.deployments()) {
        df::json::Object o;
        o.set("deployment_uuid", d.uuid).set("app_uuid", d.app_uuid).set("application_name", d.app_name);
        o.set("status", d.status).set("commit", d.commit).set("rollback", d.rollback);
        o.set("force_rebuild", d.force_rebuild);
        deps += (deps.empty() ? "" : ",") + df::json::to_string(o);
    }
    return fmt::format(R"({{"apps":[{}],"deployments":[{}]}})", apps, deps);
}

}  // namespace

void preload(State& state, std::int64_t count, const std::string& prefix, const std::string& status) {
    for (std::int64_t i = 0; i < count; ++i) {
        App a;
        a.uuid = new_uuid();
        const std::string name = fmt::format("{}{}", prefix, i);
        a.fields.set("name", name)
            .set("description", nullptr)
            .set("git_repository", "https://git.example.test/acme/skills.git");
        a.fields.set("git_branch", "df/" + name.substr(3))
            .set("git_commit_sha", "HEAD")
            .set("build_pack", "dockerfile");
        a.fields.set("ports_exposes", "9000")
            .set("base_directory", "/")
            .set("dockerfile_location", "/Dockerfile");
        a.fields.set("fqdn", fmt::format("https://{}.example.test", name)).set("health_check_enabled", true);
        a.fields.set("health_check_path", "/hooks/health").set("is_auto_deploy_enabled", false);
        a.status = status;
        a.created_at = a.updated_at = now_text();
        state.apps().push_back(std::move(a));
    }
}

void Server::control(const httplib::Request& req, httplib::Response& res) {
    const std::string& p = req.path;
    rapidjson::Document doc;
    doc.Parse(req.body.empty() ? "{}" : req.body.c_str());
    if (doc.HasParseError() || !doc.IsObject())
        return send(res, 400, R"({"message":"control body must be a JSON object"})");
    std::lock_guard lock(state_.mutex());
    if (p == "/_standin/state" && req.method == "GET") return send(res, 200, state_json(state_));
    if (p == "/_standin/faults" && req.method == "DELETE") {
        state_.faults().clear();
        return send(res, 200, "{}");
    }
    if (p == "/_standin/faults" && req.method == "POST") {
        Fault f;
        f.path_prefix = df::json::str(doc, "path_prefix", "/api/");
        f.method = df::json::str(doc, "method");
        f.count = static_cast<int>(df::json::integer(doc, "count", 1));
        f.status = static_cast<int>(df::json::integer(doc, "status", 0));
        f.retry_after = static_cast<int>(df::json::integer(doc, "retry_after", -1));
        f.body = df::json::str(doc, "body");
        f.drop = df::json::opt_bool(doc, "drop").value_or(false);
        f.drop_after = df::json::opt_bool(doc, "drop_after").value_or(false);
        f.after = df::json::opt_bool(doc, "after").value_or(false);
        f.latency_ms = static_cast<int>(df::json::integer(doc, "latency_ms", 0));
        f.hold = df::json::opt_bool(doc, "hold").value_or(false);
        state_.faults().push_back(f);
        return send(res, 200, "{}");
    }
    if (p.rfind("/_standin/apps/", 0) == 0 && req.method == "POST") {
        App* a = state_.app_by_name_or_uuid(p.substr(15));
        if (!a) return send(res, 404, R"({"message":"no such app"})");
        if (auto s = df::json::opt_str(doc, "status")) a->status = *s;
        if (auto b = df::json::opt_bool(doc, "fail_builds")) a->fail_builds = *b;
        if (const auto* n = df::json::member(doc, "fail_next_builds"); n && n->IsInt())
            a->fail_next_builds = n->GetInt();
        if (auto b = df::json::opt_bool(doc, "unhealthy")) a->unhealthy = *b;
        if (const auto* lines = df::json::member(doc, "append_log"); lines && lines->IsArray()) {
            for (const auto& l : lines->GetArray()) a->runtime_log.push_back(df::json::text(l));
        }
        return send(res, 200, "{}");
    }
    if (p == "/_standin/config" && req.method == "POST") {
        auto& o = state_.options();
        if (const auto* v = df::json::member(doc, "build_seconds"); v && v->IsNumber())
            o.build_seconds = v->GetDouble();
        if (const auto* v = df::json::member(doc, "status_lag_seconds"); v && v->IsNumber())
            o.status_lag_seconds = v->GetDouble();
        if (const auto* v = df::json::member(doc, "queue_delay_seconds"); v && v->IsNumber())
            o.queue_delay_seconds = v->GetDouble();
        if (auto b = df::json::opt_bool(doc, "sensitive")) o.sensitive = *b;
        if (auto b = df::json::opt_bool(doc, "api_disabled")) o.api_disabled = *b;
        if (auto t = df::json::opt_str(doc, "token")) o.token = *t;
        return send(res, 200, "{}");
    }
    if (p == "/_standin/preload" && req.method == "POST") {
        const auto count = df::json::integer(doc, "count", 1);
        const std::string prefix = df::json::str(doc, "prefix", "df-bench-");
        const std::string status = df::json::str(doc, "status", "running:healthy");
        preload(state_, count, prefix, status);
        return send(res, 200, fmt::format(R"({{"apps":{}}})", state_.apps().size()));
    }
    if (p == "/_standin/held" && req.method == "GET") {
        std::lock_guard hold(hold_mutex_);
        return send(res, 200, fmt::format(R"({{"held":{}}})", held_));
    }
    if (p == "/_standin/release" && req.method == "POST") {
        {
            std::lock_guard hold(hold_mutex_);
            ++releases_;
            held_ = 0;
        }
        released_.notify_all();
        return send(res, 200, "{}");
    }
    if (p == "/_standin/shutdown" && req.method == "POST") {
        send(res, 200, "{}");
        std::thread([this] { stop(); }).detach();
        return;
    }
    send(res, 404, R"({"message":"unknown control route"})");
}

}  // namespace standin
