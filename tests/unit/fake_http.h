// Test doubles for the HTTP seam: a scripted transport and a clock that records sleeps instead of sleeping.
#pragma once

#include <deque>
#include <mutex>
#include <vector>

#include "common/coolify/http.h"

namespace df::testing {

class ScriptedTransport final : public http::Transport {
  public:
    std::deque<http::Attempt> script;  // answers in order; the last one repeats
    std::vector<http::Request> seen;

    http::Attempt perform(const http::Request& request, const http::Options&) override {
        std::lock_guard lock(m_);
        seen.push_back(request);
        http::Attempt next = script.front();
        if (script.size() > 1) script.pop_front();
        return next;
    }

  private:
    std::mutex m_;
};

inline http::Response response(int status, std::string body = "{}", http::Headers headers = {}) {
    http::Response r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    return r;
}

class FakeClock final : public http::Clock {
  public:
    std::chrono::steady_clock::time_point t{};
    std::vector<http::Millis> sleeps;
    std::chrono::steady_clock::time_point now() override { return t; }
    bool sleep_for(http::Millis d, const std::atomic<bool>*) override {
        sleeps.push_back(d);
        t += d;
        return true;
    }
};

}  // namespace df::testing
