// A stand-in for the OpenClaw Gateway's chat endpoint (POST /v1/chat/completions), for the executor's
// agent-step tests. Loopback only; exits by itself after --lifetime seconds.
//
// The answer depends on the mode: --mode, or per request the agent id (header x-openclaw-agent-id, which
// `run` sets from OPENCLAW_AGENT) when it names a mode:
//   ok            200, a reply that ends with a ```json block {"status":"succeeded","outputs":<--outputs>}
//                 (or the JSON in --outputs-file)
//   fail          200, the same block with "status":"failed"
//   malformed     200, a reply without a JSON block
//   error500      HTTP 500
//   slow          waits --slow-seconds, then answers like ok
//   unauthorized  HTTP 401
// A request without `Authorization: Bearer <--token>` gets 401 as the real Gateway does. Every request is
// appended to --log as one JSON line {path, authorization, agent_id, body}.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include <cxxopts.hpp>
#include <httplib.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace {

struct Options {
    std::string port_file;
    std::string token;
    std::string mode = "ok";
    std::string outputs = R"({"agent_result":"done"})";
    std::string outputs_file;  // outputs read from a file: larger than one argument may be
    std::string log;
    int lifetime = 120;
    int slow_seconds = 30;
    std::string ok_status = "succeeded";  // the word the ok mode's result block uses (models vary)
};

std::string json_string(const std::string& s) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    return {buffer.GetString(), buffer.GetSize()};
}

// The body as JSON when it is JSON, else as a JSON string.
std::string body_as_json(const std::string& body) {
    rapidjson::Document doc;
    doc.Parse(body.data(), body.size());
    if (doc.HasParseError()) return json_string(body);
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    doc.Accept(w);
    return {buffer.GetString(), buffer.GetSize()};
}

std::string completion(const std::string& content) {
    return R"({"id":"chatcmpl_standin","object":"chat.completion","model":"openclaw/default","choices":[{"index":0,"message":{"role":"assistant","content":)" +
           json_string(content) +
           R"(},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}})";
}

std::string result_block(const std::string& status, const std::string& outputs) {
    return "Here is what I did.\n\n```json\n{\"status\": \"" + status + "\", \"outputs\": " + outputs +
           ", \"summary\": \"The stand-in Gateway " + (status == "failed" ? "could not do" : "did") +
           " the step.\"}\n```\n";
}

Options parse(int argc, char** argv) {
    cxxopts::Options spec("gateway-standin", "Stand-in for the OpenClaw Gateway chat endpoint (tests only)");
    Options o;
    spec.add_options()("port-file", "write the bound port here", cxxopts::value(o.port_file))(
        "token", "required bearer token (empty: none)", cxxopts::value(o.token))(
        "mode", "default mode", cxxopts::value(o.mode))("outputs", "JSON object of outputs for ok",
                                                        cxxopts::value(o.outputs))(
        "log", "append requests here (JSON lines)", cxxopts::value(o.log))(
        "lifetime", "exit after this many seconds", cxxopts::value(o.lifetime))(
        "slow-seconds", "delay of the slow mode", cxxopts::value(o.slow_seconds))(
        "ok-status", "status word of the ok mode's result block", cxxopts::value(o.ok_status))(
        "outputs-file", "read --outputs from this file", cxxopts::value(o.outputs_file));
    spec.parse(argc, argv);
    if (!o.outputs_file.empty()) {
        std::ifstream in(o.outputs_file, std::ios::binary);
        if (!in) throw std::runtime_error("cannot read " + o.outputs_file);
        o.outputs.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    try {
        o = parse(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "gateway-standin: error: " << e.what() << "\n";
        return 64;
    }
    std::thread([lifetime = o.lifetime] {
        std::this_thread::sleep_for(std::chrono::seconds(lifetime));
        std::_Exit(0);
    }).detach();

    std::mutex log_mutex;
    httplib::Server server;
    server.Post("/v1/chat/completions", [&](const httplib::Request& req, httplib::Response& res) {
        const std::string auth = req.get_header_value("Authorization");
        const std::string agent = req.get_header_value("x-openclaw-agent-id");
        if (!o.log.empty()) {
            std::lock_guard<std::mutex> lock(log_mutex);
            std::ofstream log(o.log, std::ios::app);
            log << R"({"path":)" << json_string(req.path) << R"(,"authorization":)" << json_string(auth)
                << R"(,"agent_id":)" << json_string(agent) << R"(,"body":)" << body_as_json(req.body)
                << "}\n";
        }
        std::string mode = o.mode;
        for (const char* m : {"ok", "fail", "malformed", "error500", "slow", "unauthorized"}) {
            if (agent == m) mode = m;
        }
        if (mode == "unauthorized" || (!o.token.empty() && auth != "Bearer " + o.token)) {
            res.status = 401;
            res.set_content(R"({"error":{"message":"Unauthorized","type":"unauthorized"}})",
                            "application/json");
            return;
        }
        if (mode == "error500") {
            res.status = 500;
            res.set_content(R"({"error":{"message":"the agent run failed","type":"server_error"}})",
                            "application/json");
            return;
        }
        if (mode == "slow") std::this_thread::sleep_for(std::chrono::seconds(o.slow_seconds));
        const std::string content = mode == "malformed" ? "I deployed it. Everything looks fine to me."
                                    : mode == "fail"    ? result_block("failed", "{}")
                                                        : result_block(o.ok_status, o.outputs);
        res.set_content(completion(content), "application/json");
    });
    const int port = server.bind_to_any_port("127.0.0.1");
    if (port <= 0) {
        std::cerr << "gateway-standin: error: cannot bind to 127.0.0.1\n";
        return 69;
    }
    if (!o.port_file.empty()) {
        const std::string tmp = o.port_file + ".tmp";
        std::ofstream(tmp) << port << "\n";
        std::rename(tmp.c_str(), o.port_file.c_str());
    }
    server.listen_after_bind();
    return 0;
}
