#include "compiler/builder/server.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <iostream>
#include <sys/random.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>
#include <httplib.h>

#include "common/files.h"
#include "common/json.h"
#include "compiler/builder/api.h"
#include "compiler/builder/workspace.h"

namespace df::compiler::builder {
namespace {

constexpr std::string_view kCookie = "df_builder_token";

// SIGINT and SIGTERM only write a byte here; a thread reads it and stops the server (not signal-safe).
int stop_pipe[2] = {-1, -1};
std::atomic<int> stop_signal{0};
std::atomic<bool> listen_ended{false};

extern "C" void on_stop_signal(int signal) {
    stop_signal = signal;
    const char byte = 1;
    [[maybe_unused]] const auto n = ::write(stop_pipe[1], &byte, 1);
}

// The token the request carries: `?token=` (the printed URL), the cookie the page then holds, or the
// X-Builder-Token header (scripts).
std::string token_of(const httplib::Request& req) {
    if (req.has_param("token")) return req.get_param_value("token");
    if (req.has_header("X-Builder-Token")) return req.get_header_value("X-Builder-Token");
    const std::string cookies = req.get_header_value("Cookie");
    const std::string prefix = std::string(kCookie) + "=";
    for (std::size_t at = 0; at < cookies.size();) {
        while (at < cookies.size() && (cookies[at] == ' ' || cookies[at] == ';')) ++at;
        const std::size_t end = std::min(cookies.find(';', at), cookies.size());
        if (cookies.compare(at, prefix.size(), prefix) == 0) {
            return cookies.substr(at + prefix.size(), end - at - prefix.size());
        }
        at = end;
    }
    return {};
}

void refuse(httplib::Response& res, int status, std::string_view why) {
    res.status = status;
    res.set_content(fmt::format("{{\"error\": {}}}", json::quote(why)), "application/json");
}

// Every request passes here first: the Host header, the token, and for POST a JSON body from this origin.
httplib::Server::HandlerResponse guard(const httplib::Request& req, httplib::Response& res,
                                       const std::string& token, int port) {
    using Handled = httplib::Server::HandlerResponse;
    res.set_header("Cache-Control", "no-store");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Content-Security-Policy",
                   "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src "
                   "'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    if (!host_allowed(req.get_header_value("Host"), port)) {
        refuse(res, 403, "this server answers only to 127.0.0.1 or localhost with its port (Host header)");
        return Handled::Handled;
    }
    if (!same_token(token_of(req), token)) {
        refuse(res, 401, "missing or wrong token: open the URL compile --edit printed");
        return Handled::Handled;
    }
    if (req.method == "POST") {
        const std::string origin = req.get_header_value("Origin");
        const bool same_origin = origin.empty() || origin == "http://" + req.get_header_value("Host");
        if (!same_origin || req.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
            refuse(res, 403, "requests come from the builder's own page, as JSON");
            return Handled::Handled;
        }
    }
    if (req.has_param("token")) {
        res.set_header("Set-Cookie", fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict", kCookie, token));
    }
    return Handled::Unhandled;
}

}  // namespace

Result<std::string> new_token() {
    unsigned char bytes[32];
    std::size_t got = 0;
    while (got < sizeof bytes) {
        const ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return Error{ExitCode::io_error, fmt::format("getrandom: {}", errno_text(errno))};
        got += static_cast<std::size_t>(n);
    }
    std::string hex;
    for (const unsigned char b : bytes) hex += fmt::format("{:02x}", b);
    return hex;
}

bool same_token(std::string_view a, std::string_view b) {
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    const std::size_t n = std::max(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
        const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
        diff |= static_cast<unsigned char>(x ^ y);
    }
    return diff == 0 && !b.empty();
}

bool host_allowed(std::string_view host, int port) {
    const std::string suffix = fmt::format(":{}", port);
    return host == "127.0.0.1" + suffix || host == "localhost" + suffix;
}

ExitCode serve(const std::string& dir, std::ostream& out, std::ostream& err) {
    const auto token = new_token();
    if (!token) return df::report(err, token.error());
    auto folder = Folder::open(dir);
    if (!folder) return df::report(err, folder.error());
    Workspace workspace(std::move(*folder));
    httplib::Server server;
    // A browser keeps up to six connections open; each holds a worker until its keep-alive ends.
    server.new_task_queue = [] { return new httplib::ThreadPool(8); };
    server.set_payload_max_length(4 * 1024 * 1024);
    server.set_keep_alive_timeout(2);  // idle browser connections must not hold the small pool
    const int port = server.bind_to_any_port("127.0.0.1");
    if (port < 0) return df::report(err, Error{ExitCode::unavailable, "cannot listen on 127.0.0.1"});
    server.set_pre_routing_handler(
        [&](const httplib::Request& req, httplib::Response& res) { return guard(req, res, *token, port); });
    add_routes(server, workspace);

    if (::pipe2(stop_pipe, O_CLOEXEC) != 0) {
        return df::report(err, Error{ExitCode::io_error, fmt::format("pipe: {}", errno_text(errno))});
    }
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
    std::thread stopper([&server] {
        char byte = 0;
        while (::read(stop_pipe[0], &byte, 1) < 0 && errno == EINTR) {
        }
        // stop() acts only once the listener runs (cpp-httplib 0.11); a signal at start-up waits for it.
        while (!server.is_running() && !listen_ended) std::this_thread::yield();
        server.stop();
    });
    out << fmt::format("http://127.0.0.1:{}/?token={}", port, *token) << std::endl;
    report_note(err, "note", fmt::format("the builder serves the workflows under {}; Ctrl-C stops it", dir));
    const bool listened = server.listen_after_bind();
    listen_ended = true;  // and wake the stopper, which still waits when no signal came
    const char byte = 2;
    [[maybe_unused]] const auto n = ::write(stop_pipe[1], &byte, 1);
    stopper.join();
    if (!listened && stop_signal == 0)
        return df::report(err, Error{ExitCode::io_error, "the server stopped"});
    report_note(err, "note", "the builder stopped");
    return ExitCode::ok;
}

}  // namespace df::compiler::builder
