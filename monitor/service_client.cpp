#include "monitor/service_client.h"

#include <regex>

#include <fmt/format.h>

#include "common/files.h"
#include "common/json.h"
#include "common/manifest.h"
#include "common/text.h"
#include "monitor/model.h"
#include "monitor/timefmt.h"

namespace df::monitor {

namespace {

// Query values go into a URL: everything but unreserved characters is percent-encoded.
std::string url_encode(std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
            out += static_cast<char>(c);
        else
            out += fmt::format("%{:02X}", c);
    }
    return out;
}

std::string query_string(const RunsQuery& q) {
    std::string out = fmt::format("?limit={}", q.limit);
    if (!q.status.empty()) out += "&status=" + url_encode(q.status);
    if (!q.since.empty()) out += "&since=" + url_encode(q.since);
    if (!q.before.empty()) out += "&before=" + url_encode(q.before);
    return out;
}

// The value of KEY in a KEY=VALUE file (the secrets file deploy writes).
std::string env_file_value(std::string_view text, std::string_view key) {
    for (auto line : split(text, '\n')) {
        const auto eq = line.find('=');
        if (eq != std::string_view::npos && line.substr(0, eq) == key)
            return std::string(trim(line.substr(eq + 1)));
    }
    return {};
}

// The service's refusal as one message: its JSON `error` when it sent one, else the status.
Error refusal(const http::Response& r, const ServiceTarget& t, const std::string& url) {
    if (r.status == 401 || r.status == 403) {
        return Error{ExitCode::no_permission,
                     fmt::format("{} refused the token in {} (HTTP {}); deploy {} again to store the token "
                                 "the service has",
                                 http::origin_of(url), t.secrets_file, r.status, t.skill)};
    }
    std::string why = fmt::format("HTTP {}", r.status);
    if (auto doc = json::parse(r.body, url, ExitCode::protocol); doc && doc->IsObject()) {
        if (auto e = json::str(*doc, "error"); !e.empty())
            why += ": " + truncate_utf8(collapse_whitespace(e), 300);
    }
    const ExitCode code = r.status == 404 ? ExitCode::unavailable : http::exit_code_for_status(r.status);
    return Error{code == ExitCode::failed ? ExitCode::protocol : code,
                 fmt::format("{} answered {}", http::origin_of(url), why)};
}

RunSummary read_summary(const rapidjson::Value& v) {
    RunSummary s;
    s.run_id = json::str(v, "run_id");
    s.status = json::str(v, "status");
    s.trigger = json::str(v, "trigger");
    s.version = json::str(v, "version");
    s.started_at = json::str(v, "started_at");
    s.ended_at = json::str(v, "ended_at");
    s.failed_step = json::str(v, "failed_step");
    s.error = json::str(v, "error");
    s.approval = json::str(v, "approval");
    if (const auto* d = json::member(v, "duration_ms"); d && d->IsNumber())
        s.duration_ms = json::integer(v, "duration_ms");
    if (auto t = parse_timestamp(s.started_at)) {
        s.created = *t;
    } else if (s.run_id.size() >= 16) {  // 20261203T084735Z: the creation time to the second
        const std::string id = s.run_id;
        const std::string iso =
            fmt::format("{}-{}-{}T{}:{}:{}Z", id.substr(0, 4), id.substr(4, 2), id.substr(6, 2),
                        id.substr(9, 2), id.substr(11, 2), id.substr(13, 2));
        s.created = parse_timestamp(iso).value_or(0);
    }
    return s;
}

}  // namespace

bool is_failed_status(std::string_view s) {
    return s == "failed" || s == "timed_out" || s == "rolled_back" || s == "rollback_failed" ||
           s == "interrupted";
}

bool is_live_status(std::string_view s) {
    return s == "queued" || s == "awaiting_approval" || s == "running";
}

bool is_run_id(std::string_view text) {
    static const std::regex pattern("^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$");
    return std::regex_match(text.begin(), text.end(), pattern);
}

Result<ServiceTarget> service_target(const std::string& skill, const SkillRecord& record,
                                     const std::string& secrets_dir, bool insecure_http) {
    ServiceTarget t;
    t.skill = skill;
    t.base_url = first_domain(record.fqdn);
    while (!t.base_url.empty() && t.base_url.back() == '/') t.base_url.pop_back();
    if (t.base_url.empty()) {
        return Error{ExitCode::config,
                     fmt::format("the registry has no domain for {}: deploy it with a domain (DF_DOMAIN) so "
                                 "its service can be asked",
                                 skill)};
    }
    t.secrets_file = secrets_dir + "/" + skill + ".env";
    if (auto text = read_file(t.secrets_file, 1 << 16)) {
        t.token = env_file_value(*text, "DF_TRIGGER_TOKEN");
        t.token_header = "X-DF-Token";
        if (t.token.empty()) {
            t.token = env_file_value(*text, "DF_APPROVE_TOKEN");
            t.token_header = "X-DF-Approve-Token";
        }
    }
    if (t.token.empty()) {
        return Error{ExitCode::config,
                     fmt::format("no service token for {} in {}: deploy it again from this machine, or set "
                                 "DF_SECRETS_DIR to where deploy keeps it",
                                 skill, t.secrets_file)};
    }
    if (t.base_url.rfind("http://", 0) == 0 && !http::is_loopback(t.base_url) && !insecure_http) {
        return Error{ExitCode::config,
                     fmt::format("{}'s service is plain http:// ({}): its token would cross the network in "
                                 "clear; use https, or --insecure-http",
                                 skill, http::origin_of(t.base_url))};
    }
    return t;
}

http::Options service_http_options(const std::string& ca_file, const std::atomic<bool>* cancel) {
    http::Options o;
    o.connect_timeout = http::Millis(3'000);
    o.total_timeout = http::Millis(10'000);
    o.max_attempts = 2;
    o.retry_budget = http::Millis(15'000);
    o.max_response_bytes = 8u << 20;
    o.ca_file = ca_file;
    o.cancel = cancel;
    return o;
}

ServiceClient::ServiceClient(http::Options base, std::shared_ptr<http::Transport> transport,
                             http::Clock* clock)
    : base_(std::move(base)), transport_(std::move(transport)), clock_(clock) {}

Result<std::string> ServiceClient::get(const ServiceTarget& target, const std::string& path_and_query) {
    http::Options o = base_;
    o.secrets.push_back(target.token);
    http::Client client(o, transport_, clock_);
    const std::string url = target.base_url + path_and_query;
    auto r = client.send(http::Request{"GET", url, {{target.token_header, target.token}}, {}});
    if (!r) return r.error();
    if (r->status != 200) return refusal(*r, target, url);
    return std::move(r->body);
}

Result<RunsPage> ServiceClient::runs(const ServiceTarget& target, const RunsQuery& query) {
    auto body = get(target, ServiceInfo{}.runs_hook + query_string(query));
    if (!body) return body.error();
    return parse_runs_page(*body, http::origin_of(target.base_url));
}

Result<std::string> ServiceClient::run_record(const ServiceTarget& target, const std::string& run_id) {
    if (!is_run_id(run_id))
        return Error{ExitCode::usage,
                     fmt::format("'{}' is not a run id (like 20260101T120000Z-0123abcd)", run_id)};
    auto body = get(target, ServiceInfo{}.status_hook + "?run_id=" + run_id);
    if (!body) {
        if (body.error().message.find("no run") != std::string::npos)
            return Error{ExitCode::failed, fmt::format("{} has no run {}", target.skill, run_id)};
        return body.error();
    }
    if (auto doc = json::parse(*body, target.base_url, ExitCode::protocol); !doc || !doc->IsObject())
        return Error{ExitCode::protocol,
                     fmt::format("{}'s status hook did not answer a run record", target.skill)};
    return body;
}

Result<RunLogTail> ServiceClient::run_log_tail(const ServiceTarget& target, const std::string& run_id,
                                               int lines) {
    if (!is_run_id(run_id))
        return Error{ExitCode::usage,
                     fmt::format("'{}' is not a run id (like 20260101T120000Z-0123abcd)", run_id)};
    auto body =
        get(target, fmt::format("{}?run_id={}&log=tail&lines={}", ServiceInfo{}.status_hook, run_id, lines));
    if (!body) return body.error();
    auto doc = json::parse(*body, target.base_url, ExitCode::protocol);
    if (!doc || !doc->IsObject())
        return Error{ExitCode::protocol,
                     fmt::format("{}'s status hook did not answer a log tail", target.skill)};
    RunLogTail tail;
    // A service older than the log hook ignores log=tail and answers the record: no log then.
    if (const auto* log = json::member(*doc, "log"); log && log->IsString()) {
        tail.kept = true;
        tail.text = log->GetString();
        const auto* truncated = json::member(*doc, "truncated");
        tail.truncated = truncated && truncated->IsBool() && truncated->GetBool();
    }
    return tail;
}

Result<RunsPage> parse_runs_page(std::string_view body, std::string_view origin) {
    auto doc = json::parse(body, fmt::format("the runs hook of {}", origin), ExitCode::protocol);
    if (!doc) return doc.error();
    const auto* runs = doc->IsObject() ? json::member(*doc, "runs") : nullptr;
    if (!runs || !runs->IsArray())
        return Error{ExitCode::protocol,
                     fmt::format("the runs hook of {} did not answer {{\"runs\": [...]}}", origin)};
    RunsPage page;
    for (const auto& v : runs->GetArray()) {
        if (v.IsObject()) page.runs.push_back(read_summary(v));
    }
    page.next_before = json::str(*doc, "next_before");
    return page;
}

}  // namespace df::monitor
