#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>

#include <httplib.h>

#include "tests/standins/coolify/state.h"

namespace standin {

// Adds `count` running apps named <prefix>0… (monitor's benchmark). Caller holds state.mutex().
void preload(State& state, std::int64_t count, const std::string& prefix, const std::string& status);

class Server {
  public:
    explicit Server(State& state);
    int bind(int port);  // 0: any free port; returns the port or −1
    void listen();       // blocks until stop()
    void stop();

  private:
    void dispatch(const httplib::Request& req, httplib::Response& res);
    // True when the fault answered; `after` is set when the request must be handled first and its answer
    // then lost (drop_after) or replaced (after + status).
    bool apply_fault(const httplib::Request& req, httplib::Response& res, std::optional<Fault>& after);
    void api(const httplib::Request& req, httplib::Response& res, const std::string& path);
    void control(const httplib::Request& req, httplib::Response& res);
    void record(const httplib::Request& req, int status, bool authorised);

    // Route handlers (hold the state's mutex).
    void list_apps(const httplib::Request& req, httplib::Response& res);
    void create_app(const httplib::Request& req, httplib::Response& res, const std::string& kind);
    void patch_app(const httplib::Request& req, httplib::Response& res, App& app);
    void bulk_envs(const httplib::Request& req, httplib::Response& res, App& app);
    void deploy(const httplib::Request& req, httplib::Response& res);
    void rollback(const httplib::Request& req, httplib::Response& res, App& app);

    State& state_;
    httplib::Server svr_;
    std::mutex log_mutex_;
    // Held requests (Fault::hold) wait for a release: a test acts while deploy waits for the answer.
    std::mutex hold_mutex_;
    std::condition_variable released_;
    std::uint64_t releases_ = 0;
    int held_ = 0;  // requests waiting now (GET /_standin/held)
    Clock::time_point started_ = Clock::now();
};

}  // namespace standin
