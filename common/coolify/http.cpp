#include "common/coolify/http.h"

#include <algorithm>
#include <thread>

#include <curl/curl.h>
#include <fmt/format.h>

#include "common/text.h"

namespace df::http {

std::optional<std::string> Response::header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
        if (equals_icase(k, name)) return v;
    }
    return std::nullopt;
}

bool is_safe_method(std::string_view method) {
    return method == "GET" || method == "HEAD";
}

std::optional<Millis> parse_retry_after(std::string_view value) {
    const std::string v(trim(value));
    if (v.empty()) return std::nullopt;
    if (std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        if (v.size() > 7) return Millis(9'999'999'000);  // absurd, but a number: "longer than any budget"
        return Millis(std::stoll(v) * 1000);
    }
    const time_t when = curl_getdate(v.c_str(), nullptr);
    if (when < 0) return std::nullopt;
    const time_t now = std::time(nullptr);
    return Millis(when > now ? (when - now) * 1000 : 0);
}

ExitCode exit_code_for_status(int status) {
    if (status == 401 || status == 403) return ExitCode::no_permission;
    if (status == 429 || status >= 500) return ExitCode::unavailable;
    if (status >= 300 && status < 400) return ExitCode::protocol;
    return ExitCode::failed;
}

std::string origin_of(std::string_view url) {
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return "(invalid URL)";
    auto rest = url.substr(scheme_end + 3);
    rest = rest.substr(0, rest.find_first_of("/?#"));
    if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
    return std::string(url.substr(0, scheme_end + 3)) + std::string(rest);
}

namespace {

// [start, end) of the userinfo "user:pw@" in a URL's authority; start == end when there is none.
std::pair<std::size_t, std::size_t> userinfo_span(std::string_view url) {
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return {0, 0};
    const std::size_t start = scheme_end + 3;
    const auto authority_end = url.find_first_of("/?#", start);
    const auto at = url.substr(0, authority_end).rfind('@');
    if (at == std::string_view::npos || at < start) return {start, start};
    return {start, at + 1};
}

}  // namespace

std::string without_userinfo(std::string_view url) {
    const auto [start, end] = userinfo_span(url);
    std::string out(url);
    out.erase(start, end - start);
    return out;
}

bool has_userinfo(std::string_view url) {
    const auto [start, end] = userinfo_span(url);
    return end > start;
}

bool is_loopback(std::string_view url) {
    const std::string origin = origin_of(url);
    const auto host_start = origin.find("://");
    if (host_start == std::string::npos) return false;
    std::string_view host = std::string_view(origin).substr(host_start + 3);
    if (host.rfind("[::1]", 0) == 0) return true;
    host = host.substr(0, host.find(':'));
    return host == "localhost" || host.rfind("127.", 0) == 0;
}

namespace {

class SystemClock final : public Clock {
  public:
    std::chrono::steady_clock::time_point now() override { return std::chrono::steady_clock::now(); }
    bool sleep_for(Millis duration, const std::atomic<bool>* cancel) override {
        // Sleep in slices so a SIGINT is noticed within 50 ms.
        const auto end = now() + duration;
        while (now() < end) {
            if (cancel && cancel->load()) return false;
            std::this_thread::sleep_for(
                std::min<Millis>(Millis(50), std::chrono::duration_cast<Millis>(end - now())));
        }
        return !(cancel && cancel->load());
    }
};

std::string describe(const Request& r) {
    const std::string url = without_userinfo(r.url);
    const auto q = url.find('?');
    return fmt::format("{} {}", r.method, q == std::string::npos ? url : url.substr(0, q));
}

}  // namespace

Clock& system_clock() {
    static SystemClock clock;
    return clock;
}

Client::Client(Options options, std::shared_ptr<Transport> transport, Clock* clock, std::uint64_t jitter_seed)
    : options_(std::move(options)), transport_(std::move(transport)), clock_(clock), rng_(jitter_seed) {
    // A secret too short to be a token would mask ordinary text; tokens are long.
    options_.secrets.erase(std::remove_if(options_.secrets.begin(), options_.secrets.end(),
                                          [](const std::string& s) { return s.size() < 4; }),
                           options_.secrets.end());
}

std::string Client::mask(std::string_view text) const {
    std::string out(text);
    for (const auto& secret : options_.secrets) {
        for (auto pos = out.find(secret); pos != std::string::npos; pos = out.find(secret, pos + 3)) {
            out.replace(pos, secret.size(), "***");
        }
    }
    return out;
}

Millis Client::backoff(int retry) {
    const auto cap = std::min<long long>(options_.backoff_max.count(), options_.backoff_base.count()
                                                                           << std::min(retry, 20));
    std::lock_guard lock(rng_mutex_);
    std::uniform_int_distribution<long long> dist(cap / 2, std::max<long long>(cap, 1));
    return Millis(dist(rng_));
}

bool Client::may_retry(const Request& request, const Attempt& attempt) const {
    if (const auto* r = std::get_if<Response>(&attempt)) {
        if (r->status == 429) return true;  // refused before any processing
        return is_safe_method(request.method) &&
               (r->status == 500 || r->status == 502 || r->status == 503 || r->status == 504);
    }
    const auto& e = std::get<TransportError>(attempt);
    switch (e.failure) {
        case Failure::not_sent:
            return true;
        case Failure::lost:
        case Failure::timed_out:
            return is_safe_method(request.method);
        default:
            return false;
    }
}

Result<Response> Client::send(const Request& request) {
    const auto deadline = clock_->now() + options_.retry_budget;
    const std::string what = mask(describe(request));
    for (int attempt_no = 1;; ++attempt_no) {
        if (options_.cancel && options_.cancel->load()) {
            return Error{ExitCode::interrupted, fmt::format("{}: interrupted", what)};
        }
        ++attempts_;
        Attempt attempt = transport_->perform(request, options_);
        const bool last = attempt_no >= options_.max_attempts || !may_retry(request, attempt);
        if (!last) {
            Millis wait = backoff(attempt_no - 1);
            if (const auto* r = std::get_if<Response>(&attempt)) {
                if (auto ra = r->header("retry-after")) {
                    if (auto parsed = parse_retry_after(*ra)) wait = std::max(wait, *parsed);
                }
            }
            if (clock_->now() + wait <= deadline) {
                if (!clock_->sleep_for(wait, options_.cancel)) {
                    return Error{ExitCode::interrupted, fmt::format("{}: interrupted", what)};
                }
                continue;
            }
        }
        if (auto* r = std::get_if<Response>(&attempt)) return std::move(*r);
        const auto& e = std::get<TransportError>(attempt);
        const std::string detail = mask(e.message);
        switch (e.failure) {
            case Failure::interrupted:
                return Error{ExitCode::interrupted, fmt::format("{}: interrupted", what)};
            case Failure::tls:
                return Error{ExitCode::protocol,
                             fmt::format("{}: TLS failure: {} (check the server certificate or "
                                         "set a CA file)",
                                         what, detail)};
            case Failure::protocol:
            case Failure::too_large:
                return Error{ExitCode::protocol, fmt::format("{}: {}", what, detail)};
            default:
                return Error{ExitCode::unavailable,
                             fmt::format("{}: {} ({} attempt{}); is {} reachable?", what, detail, attempt_no,
                                         attempt_no == 1 ? "" : "s", origin_of(mask(request.url)))};
        }
    }
}

}  // namespace df::http
