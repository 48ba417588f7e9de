#include "common/coolify/coolify.h"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include "common/text.h"

namespace df::coolify {

// --- Version -----------------------------------------------------------------------------------------

std::optional<Version> Version::parse(std::string_view text) {
    Version v;
    v.text = std::string(trim(text));
    std::string_view s = v.text;
    if (!s.empty() && (s[0] == 'v' || s[0] == 'V')) s.remove_prefix(1);
    const auto dash = s.find('-');
    const std::string_view core = s.substr(0, dash);
    const auto parts = split(core, '.');
    if (parts.empty() || parts.size() > 3) return std::nullopt;
    int* fields[] = {&v.major, &v.minor, &v.patch};
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (parts[i].empty() || parts[i].size() > 6 ||
            !std::all_of(parts[i].begin(), parts[i].end(), [](char c) { return c >= '0' && c <= '9'; })) {
            return std::nullopt;
        }
        *fields[i] = std::stoi(std::string(parts[i]));
    }
    if (dash != std::string_view::npos) {
        const std::string pre = to_lower(s.substr(dash + 1));
        const auto dot = pre.find('.');
        const std::string stage = pre.substr(0, dot);
        if (stage == "alpha")
            v.stage = 0;
        else if (stage == "beta")
            v.stage = 1;
        else if (stage == "rc")
            v.stage = 2;
        else
            return std::nullopt;
        if (dot != std::string::npos) {
            try {
                v.stage_number = std::stoi(pre.substr(dot + 1));
            } catch (...) {
                return std::nullopt;
            }
        }
    }
    return v;
}

Version Version::of(int major, int minor, int patch, int stage, int stage_number) {
    Version v;
    v.major = major, v.minor = minor, v.patch = patch, v.stage = stage, v.stage_number = stage_number;
    v.text = fmt::format("{}.{}.{}", major, minor, patch);
    return v;
}

bool Version::at_least(const Version& o) const {
    return std::tie(major, minor, patch, stage, stage_number) >=
           std::tie(o.major, o.minor, o.patch, o.stage, o.stage_number);
}

AppState AppState::parse(std::string_view status) {
    const auto colon = status.find(':');
    if (colon == std::string_view::npos) return {std::string(status), "unhealthy"};
    return {std::string(status.substr(0, colon)), std::string(status.substr(colon + 1))};
}

std::string_view create_path(Source source) {
    switch (source) {
        case Source::public_repo:
            return "/applications/public";
        case Source::deploy_key:
            return "/applications/private-deploy-key";
        case Source::github_app:
            return "/applications/private-github-app";
    }
    return "/applications/public";
}

// --- Parsing -----------------------------------------------------------------------------------------

Application parse_application(const rapidjson::Value& v) {
    Application a;
    a.uuid = json::str(v, "uuid");
    a.name = json::str(v, "name");
    a.description = json::str(v, "description");
    a.fqdn = json::str(v, "fqdn");
    a.status = json::str(v, "status", "exited:unhealthy");
    a.git_repository = json::str(v, "git_repository");
    a.git_branch = json::str(v, "git_branch");
    a.git_commit_sha = json::str(v, "git_commit_sha", "HEAD");
    a.build_pack = json::str(v, "build_pack");
    a.ports_exposes = json::str(v, "ports_exposes");
    a.base_directory = json::str(v, "base_directory", "/");
    a.dockerfile_location = json::str(v, "dockerfile_location");
    a.health_check_path = json::str(v, "health_check_path");
    a.limits_memory = json::str(v, "limits_memory");
    a.health_check_enabled = json::opt_bool(v, "health_check_enabled");
    if (const auto* settings = json::member(v, "settings")) {
        a.is_auto_deploy_enabled = json::opt_bool(*settings, "is_auto_deploy_enabled");
    }
    a.created_at = json::str(v, "created_at");
    a.updated_at = json::str(v, "updated_at");
    a.last_online_at = json::str(v, "last_online_at");
    return a;
}

Deployment parse_deployment(const rapidjson::Value& v) {
    Deployment d;
    d.deployment_uuid = json::str(v, "deployment_uuid");
    d.application_name = json::str(v, "application_name");
    d.status = json::str(v, "status");
    d.commit = json::str(v, "commit");
    d.commit_message = json::str(v, "commit_message");
    d.created_at = json::str(v, "created_at");
    d.updated_at = json::str(v, "updated_at");
    d.finished_at = json::str(v, "finished_at");
    d.rollback = json::opt_bool(v, "rollback").value_or(false);
    d.logs = json::opt_str(v, "logs");
    return d;
}

Result<std::vector<LogEntry>> parse_build_log(std::string_view logs) {
    if (trim(logs).empty()) return std::vector<LogEntry>{};
    auto doc = json::parse(logs, "the deployment log", ExitCode::protocol);
    if (!doc) return doc.error();
    if (!doc->IsArray()) return Error{ExitCode::protocol, "the deployment log is not a JSON array"};
    std::vector<LogEntry> out;
    for (const auto& e : doc->GetArray()) {
        if (!e.IsObject()) continue;
        LogEntry l;
        l.command = json::str(e, "command");
        l.output = json::str(e, "output");
        l.type = json::str(e, "type", "stdout");
        l.timestamp = json::str(e, "timestamp");
        l.hidden = json::opt_bool(e, "hidden").value_or(false);
        l.batch = json::integer(e, "batch", 0);
        l.order = json::integer(e, "order", 0);  // the first entry often has none
        out.push_back(std::move(l));
    }
    std::stable_sort(out.begin(), out.end(), [](const LogEntry& a, const LogEntry& b) {
        return std::tie(a.batch, a.order) < std::tie(b.batch, b.order);
    });
    return out;
}

// --- Errors ------------------------------------------------------------------------------------------

namespace {

// "field: problem; field: problem" from `errors`, whose values are arrays of strings or plain strings.
std::string validation_details(const rapidjson::Value& errors) {
    std::string out;
    if (!errors.IsObject()) return json::text(errors);
    for (const auto& m : errors.GetObject()) {
        std::string problems;
        if (m.value.IsArray()) {
            for (const auto& p : m.value.GetArray())
                problems += (problems.empty() ? "" : " ") + json::text(p);
        } else {
            problems = json::text(m.value);
        }
        out += fmt::format("{}{}: {}", out.empty() ? "" : "; ", m.name.GetString(), problems);
    }
    return out;
}

std::string advice(int status, std::string_view message) {
    if (status == 401) return "; check COOLIFY_TOKEN (an API token from Keys & Tokens → API tokens)";
    if (message.find("API is disabled") != std::string_view::npos) {
        return "; enable it in Coolify: Settings → Configuration → Advanced → API Access";
    }
    if (message.find("not allowed to access the API") != std::string_view::npos) {
        return "; add this machine's IP to Coolify's API allow list";
    }
    if (status == 403) return "; the token needs read, write and deploy abilities (a root token is simplest)";
    return "";
}

}  // namespace

Error api_error(const http::Response& response, std::string_view what) {
    if (response.status >= 300 && response.status < 400) {
        // Not followed (http.h): saying where it points is what lets the operator fix COOLIFY_URL.
        const auto location = response.header("location");
        return Error{ExitCode::protocol,
                     fmt::format("{}: the server redirected to {} (HTTP {}); set the Coolify URL to the "
                                 "address the API answers on",
                                 what, location ? http::without_userinfo(*location) : "(no Location)",
                                 response.status)};
    }
    std::string message;
    if (auto doc = json::parse(response.body, "answer", ExitCode::protocol); doc && doc->IsObject()) {
        message = json::str(*doc, "message");
        if (auto e = json::opt_str(*doc, "error")) message += (message.empty() ? "" : ": ") + *e;
        if (const auto* errors = json::member(*doc, "errors")) message += " " + validation_details(*errors);
    }
    if (message.empty()) message = collapse_whitespace(truncate_utf8(response.body, 200));
    if (response.status == 429) {
        const auto ra = response.header("retry-after");
        message += ra ? fmt::format(" (rate limited; retry after {} s)", *ra) : " (rate limited)";
    }
    const auto code = http::exit_code_for_status(response.status);
    return Error{code, fmt::format("{}: HTTP {} {}{}", what, response.status, trim(message),
                                   advice(response.status, message))};
}

// --- Client ------------------------------------------------------------------------------------------

Client::Client(http::Client& http, std::string base_url, std::string token)
    : http_(http), base_url_(std::move(base_url)), token_(std::move(token)) {
    while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
    if (base_url_.size() >= 7 && base_url_.compare(base_url_.size() - 7, 7, "/api/v1") == 0) {
        base_url_.resize(base_url_.size() - 7);  // tolerate a URL copied with the API prefix
    }
}

std::string Client::url(std::string_view path) const {
    return fmt::format("{}/api/v1{}", base_url_, path);
}

Result<http::Response> Client::call(std::string_view method, std::string_view path, const std::string& body,
                                    std::string_view what) {
    http::Request request;
    request.method = std::string(method);
    request.url = url(path);
    request.headers = {{"Authorization", "Bearer " + token_}, {"Accept", "application/json"}};
    if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
    request.body = body;
    auto response = http_.send(request);
    if (!response) return Error{response.error().code, fmt::format("{}: {}", what, response.error().message)};
    return response;
}

Result<rapidjson::Document> Client::call_json(std::string_view method, std::string_view path,
                                              const std::string& body, std::string_view what, int expect_min,
                                              int expect_max) {
    auto response = call(method, path, body, what);
    if (!response) return response.error();
    if (response->status < expect_min || response->status > expect_max) return api_error(*response, what);
    auto doc = json::parse(response->body, fmt::format("the answer to {}", what), ExitCode::protocol);
    if (!doc) return doc.error();
    return doc;
}

Result<Version> Client::version() {
    auto response = call("GET", "/version", {}, "reading the Coolify version");
    if (!response) return response.error();
    if (response->status != 200) return api_error(*response, "reading the Coolify version");
    std::string text(trim(response->body));
    if (text.size() > 2 && text.front() == '"' && text.back() == '"') text = text.substr(1, text.size() - 2);
    auto v = Version::parse(text);
    if (!v) {
        return Error{
            ExitCode::protocol,
            fmt::format("GET /version answered '{}', which is not a Coolify version; is the URL right?",
                        truncate_utf8(collapse_whitespace(text), 80))};
    }
    return *v;
}

Result<std::vector<Application>> Client::list_applications(std::string_view tag) {
    const std::string path = tag.empty() ? "/applications" : fmt::format("/applications?tag={}", tag);
    auto doc = call_json("GET", path, {}, "listing applications");
    if (!doc) return doc.error();
    if (!doc->IsArray())
        return Error{ExitCode::protocol, "listing applications: the answer is not a JSON array"};
    std::vector<Application> apps;
    apps.reserve(doc->Size());
    for (const auto& v : doc->GetArray()) {
        if (v.IsObject()) apps.push_back(parse_application(v));
    }
    return apps;
}

Result<std::optional<Application>> Client::get_application(const std::string& uuid) {
    const std::string what = fmt::format("reading application {}", uuid);
    auto response = call("GET", "/applications/" + uuid, {}, what);
    if (!response) return response.error();
    if (response->status == 404) return std::optional<Application>{};
    if (response->status != 200) return api_error(*response, what);
    auto doc = json::parse(response->body, "the application", ExitCode::protocol);
    if (!doc) return doc.error();
    return std::optional<Application>(parse_application(*doc));
}

Result<Application> Client::create_application(Source source, const json::Object& body) {
    auto doc = call_json("POST", create_path(source), json::to_string(body), "creating the application");
    if (!doc) return doc.error();
    Application app;
    app.uuid = json::str(*doc, "uuid");
    app.fqdn = json::str(*doc, "domains");
    if (app.uuid.empty())
        return Error{ExitCode::protocol, "creating the application: the answer has no uuid"};
    return app;
}

Status Client::update_application(const std::string& uuid, const json::Object& body) {
    auto doc = call_json("PATCH", "/applications/" + uuid, json::to_string(body),
                         fmt::format("updating application {}", uuid));
    if (!doc) return doc.error();
    return ok();
}

Status Client::delete_application(const std::string& uuid) {
    auto doc = call_json("DELETE", "/applications/" + uuid, {}, fmt::format("deleting application {}", uuid));
    if (!doc) return doc.error();
    return ok();
}

Result<std::vector<EnvVar>> Client::list_envs(const std::string& app_uuid) {
    auto doc =
        call_json("GET", fmt::format("/applications/{}/envs", app_uuid), {}, "listing environment variables");
    if (!doc) return doc.error();
    if (!doc->IsArray()) return Error{ExitCode::protocol, "listing environment variables: not a JSON array"};
    std::vector<EnvVar> vars;
    for (const auto& v : doc->GetArray()) {
        if (json::opt_bool(v, "is_preview").value_or(false)) continue;
        EnvVar e;
        e.uuid = json::str(v, "uuid");
        e.key = json::str(v, "key");
        e.value = json::str(v, "value");
        e.is_literal = json::opt_bool(v, "is_literal").value_or(false);
        e.is_runtime = json::opt_bool(v, "is_runtime").value_or(true);
        e.is_buildtime = json::opt_bool(v, "is_buildtime").value_or(true);
        vars.push_back(std::move(e));
    }
    return vars;
}

Status Client::set_envs(const std::string& app_uuid, const std::vector<EnvVar>& vars) {
    if (vars.empty()) return ok();  // the server answers 400 "Bulk data is required." to an empty list
    std::string body = "{\"data\":[";
    for (std::size_t i = 0; i < vars.size(); ++i) {
        json::Object o;
        o.set("key", vars[i].key).set("value", vars[i].value).set("is_literal", vars[i].is_literal);
        o.set("is_runtime", vars[i].is_runtime).set("is_buildtime", vars[i].is_buildtime);
        body += (i ? "," : "") + json::to_string(o);
    }
    body += "]}";
    auto doc = call_json("PATCH", fmt::format("/applications/{}/envs/bulk", app_uuid), body,
                         "setting environment variables");
    if (!doc) return doc.error();
    return ok();
}

Status Client::delete_env(const std::string& app_uuid, const std::string& env_uuid) {
    auto doc = call_json("DELETE", fmt::format("/applications/{}/envs/{}", app_uuid, env_uuid), {},
                         "deleting an environment variable");
    if (!doc) return doc.error();
    return ok();
}

namespace {

DeployAck ack_from(const rapidjson::Value& item) {
    DeployAck ack;
    ack.message = json::str(item, "message");
    ack.deployment_uuid = json::str(item, "deployment_uuid");
    ack.already_queued = ack.message.find("already queued") != std::string::npos;
    return ack;
}

}  // namespace

Result<DeployAck> Client::deploy(const std::string& app_uuid, bool force) {
    json::Object body;
    body.set("uuid", app_uuid);
    if (force) body.set("force", true);  // never send force=false: before v4.2.0 the string "false" forced
    auto doc = call_json("POST", "/deploy", json::to_string(body), "starting the deployment");
    if (!doc) return doc.error();
    const auto* list = json::member(*doc, "deployments");
    if (list && list->IsArray()) {
        for (const auto& item : list->GetArray()) {
            if (json::str(item, "resource_uuid") == app_uuid || list->Size() == 1) return ack_from(item);
        }
    }
    return Error{ExitCode::protocol,
                 fmt::format("starting the deployment: the answer names no deployment for {}", app_uuid)};
}

Result<DeployAck> Client::rollback(const std::string& app_uuid, const std::string& commit) {
    json::Object body;
    body.set("commit", commit);
    auto doc = call_json("POST", fmt::format("/applications/{}/rollback", app_uuid), json::to_string(body),
                         "starting the rollback");
    if (!doc) return doc.error();
    DeployAck ack = ack_from(*doc);
    if (ack.deployment_uuid.empty() && !ack.already_queued) {
        return Error{ExitCode::protocol, fmt::format("starting the rollback: {}", ack.message)};
    }
    return ack;
}

Result<std::optional<Deployment>> Client::get_deployment(const std::string& deployment_uuid) {
    const std::string what = fmt::format("reading deployment {}", deployment_uuid);
    auto response = call("GET", "/deployments/" + deployment_uuid, {}, what);
    if (!response) return response.error();
    if (response->status == 404) return std::optional<Deployment>{};
    if (response->status != 200) return api_error(*response, what);
    auto doc = json::parse(response->body, "the deployment", ExitCode::protocol);
    if (!doc) return doc.error();
    return std::optional<Deployment>(parse_deployment(*doc));
}

Result<DeploymentPage> Client::list_deployments(const std::string& app_uuid, int skip, int take) {
    auto doc =
        call_json("GET", fmt::format("/deployments/applications/{}?skip={}&take={}", app_uuid, skip, take),
                  {}, "listing deployments");
    if (!doc) return doc.error();
    DeploymentPage page;
    const rapidjson::Value* list = doc->IsArray() ? &*doc : json::member(*doc, "deployments");
    if (!list || !list->IsArray()) return Error{ExitCode::protocol, "listing deployments: unexpected answer"};
    for (const auto& v : list->GetArray()) page.deployments.push_back(parse_deployment(v));
    page.count = doc->IsObject() ? json::integer(*doc, "count", static_cast<std::int64_t>(list->Size()))
                                 : static_cast<std::int64_t>(list->Size());
    return page;
}

Status Client::cancel_deployment(const std::string& deployment_uuid) {
    auto doc = call_json("POST", fmt::format("/deployments/{}/cancel", deployment_uuid), {},
                         "cancelling the deployment");
    if (!doc) return doc.error();
    return ok();
}

Result<std::string> Client::application_logs(const std::string& app_uuid, int lines) {
    auto doc = call_json("GET", fmt::format("/applications/{}/logs?lines={}", app_uuid, lines), {},
                         "reading application logs");
    if (!doc) return doc.error();
    return json::str(*doc, "logs");
}

}  // namespace df::coolify
