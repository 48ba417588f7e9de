// The stand-in's HTTP core: one dispatcher for every request, faults (drop, delay, hold, status), the
// request log. The Coolify API v1 routes are in routes.cpp, the /_standin/ control routes in control.cpp.
#include "tests/standins/coolify/server.h"

#include <algorithm>
#include <fstream>

#include <fmt/format.h>

#include "tests/standins/coolify/shapes.h"
#include "tests/standins/drop_connection.h"

namespace standin {

using df::json::Object;

// --- Server ------------------------------------------------------------------------------------------

Server::Server(State& state) : state_(state) {
    svr_.new_task_queue = [] { return new httplib::ThreadPool(64); };
    auto handler = [this](const httplib::Request& req, httplib::Response& res) { dispatch(req, res); };
    svr_.Get(".*", handler);
    svr_.Post(".*", handler);
    svr_.Patch(".*", handler);
    svr_.Put(".*", handler);
    svr_.Delete(".*", handler);
}

int Server::bind(int port) {
    return port ? (svr_.bind_to_port("127.0.0.1", port) ? port : -1) : svr_.bind_to_any_port("127.0.0.1");
}
void Server::listen() {
    svr_.listen_after_bind();
}
void Server::stop() {
    svr_.stop();
}

void Server::record(const httplib::Request& req, int status, bool authorised) {
    if (state_.options().log_file.empty()) return;
    Object o;
    o.set("method", req.method).set("path", req.path);
    std::string query;
    for (const auto& [k, v] : req.params) query += (query.empty() ? "" : "&") + k + "=" + v;
    o.set("query", query)
        .set("status", std::int64_t(status < 0 ? 200 : status))
        .set("ms",
             std::int64_t(
                 std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_).count()))
        .set("authorised", authorised)
        .set("body", req.body);
    std::lock_guard lock(log_mutex_);
    std::ofstream(state_.options().log_file, std::ios::app) << df::json::to_string(o) << "\n";
}

void Server::dispatch(const httplib::Request& req, httplib::Response& res) {
    const std::string& p = req.path;
    if (p.rfind("/_standin/", 0) == 0) return control(req, res);
    if (p == "/api/health" || p == "/api/v1/health") {
        res.set_content("OK", "text/html");
        return record(req, 200, true);
    }
    std::optional<Fault> after;
    if (apply_fault(req, res, after)) return record(req, res.status, true);
    const std::string auth = req.get_header_value("Authorization");
    const bool authorised = auth == "Bearer " + state_.options().token;
    if (!authorised) {
        message(res, 401, "Unauthenticated.");
    } else if (state_.options().api_disabled) {
        reply(res, 403, R"({"success":true,"message":"API is disabled."})");
    } else if (p.rfind("/api/v1/", 0) == 0) {
        api(req, res, p.substr(7));
    } else {
        reply(res, 404, R"({"message":"Not found.","docs":"https://coolify.io/docs"})");
    }
    // The work is done; the client never hears about it, or hears a gateway's error.
    if (after && after->drop_after) df::testing::drop_connection(req);
    if (after && after->after && after->status) {
        res.headers.clear();
        reply(res, after->status, after->body.empty() ? R"({"message":"Gateway Timeout"})" : after->body);
    }
    record(req, after && after->drop_after ? 0 : res.status, authorised);
}

bool Server::apply_fault(const httplib::Request& req, httplib::Response& res, std::optional<Fault>& after) {
    Fault fault;
    {
        std::lock_guard lock(state_.mutex());
        auto& faults = state_.faults();
        auto it = std::find_if(faults.begin(), faults.end(), [&](const Fault& f) {
            return f.count != 0 && req.path.rfind(f.path_prefix, 0) == 0 &&
                   (f.method.empty() || f.method == req.method);
        });
        if (it == faults.end()) return false;
        fault = *it;
        if (it->count > 0) --it->count;
    }
    if (fault.latency_ms) std::this_thread::sleep_for(std::chrono::milliseconds(fault.latency_ms));
    if (fault.hold) {
        std::unique_lock lock(hold_mutex_);
        const auto seen = releases_;
        ++held_;
        // A release takes the requests it lets go off the count itself (control.cpp), so that /_standin/held
        // never counts one on its way out: a test that saw it would release the next request unseen.
        if (!released_.wait_for(lock, std::chrono::seconds(60), [&] { return releases_ != seen; })) --held_;
    }
    if (fault.drop_after || fault.after) {
        after = fault;
        return false;
    }
    if (fault.drop) {
        res.status = 200;
        res.set_content_provider(1000, "application/json",
                                 [](size_t, size_t, httplib::DataSink&) { return false; });
        return true;
    }
    if (!fault.status) return false;  // latency only: handle normally
    if (fault.retry_after >= 0) res.set_header("Retry-After", std::to_string(fault.retry_after));
    std::string body = fault.body;
    if (body.empty()) {
        body = fault.status == 429 ? R"({"message":"Too Many Attempts."})" : R"({"message":"Server Error"})";
    }
    reply(res, fault.status, body);
    return true;
}

}  // namespace standin
