// The HTTP client every remote call goes through (Coolify today). Two layers:
//   Transport — one attempt, no policy (libcurl in production; tests substitute their own);
//   Client    — the policy: timeouts, retries with jittered backoff only where they are safe, Retry-After
//               within a deadline, 401/403 never retried, secrets masked out of every message.
// What is "safe" to repeat: GET/HEAD always; any method when the request provably never left (connection
// refused, DNS failure) or the server refused it unprocessed (429). A POST whose answer was lost is never
// re-sent: the caller must look before it acts again.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/error.h"

namespace df::http {

using Headers = std::vector<std::pair<std::string, std::string>>;
using Millis = std::chrono::milliseconds;

struct Request {
    std::string method = "GET";
    std::string url;  // absolute http:// or https:// URL
    Headers headers;
    std::string body;
};

struct Response {
    int status = 0;
    Headers headers;  // names in lower case, in arrival order (final response only)
    std::string body;

    // The first value of the header `name` (case-insensitive).
    std::optional<std::string> header(std::string_view name) const;
};

// Why an attempt produced no response; decides whether it may be repeated.
enum class Failure {
    not_sent,     // DNS failure, connection refused or connect timeout: the server never saw it
    lost,         // sent, but the connection dropped or the answer never came
    timed_out,    // the total or low-speed timeout ended a started exchange
    tls,          // certificate or handshake failure (never retried: it will not fix itself)
    protocol,     // redirect loop, forbidden protocol, malformed answer
    too_large,    // the answer exceeded Options::max_response_bytes
    interrupted,  // the cancel flag was raised
};

struct TransportError {
    Failure failure = Failure::lost;
    std::string message;
};

using Attempt = std::variant<Response, TransportError>;

struct Options {
    Millis connect_timeout{10'000};
    Millis total_timeout{30'000};               // per attempt
    long low_speed_bytes = 1;                   // abort an attempt slower than this many bytes/s ...
    std::chrono::seconds low_speed_window{20};  // ... for this long
    std::string ca_file;  // PEM bundle to trust instead of the system store (verification stays on)
    // 0: a redirect comes back as the 3xx response. The Coolify API is never followed elsewhere: libcurl
    // drops the Authorization header on another host, and the 401 that follows would blame the token.
    int max_redirects = 0;
    int max_attempts = 4;      // first try included
    Millis backoff_base{500};  // attempt n waits a random 50–100 % of min(base·2ⁿ, backoff_max)
    Millis backoff_max{8'000};
    Millis retry_budget{60'000};  // all attempts and waits of one send() end by this deadline
    std::size_t max_response_bytes = 64u << 20;
    std::string user_agent = std::string("dark-factory/") + DF_VERSION;
    std::vector<std::string> secrets;           // replaced by "***" in every message the client makes
    const std::atomic<bool>* cancel = nullptr;  // raised (by SIGINT) → the current attempt and waits stop
};

// One attempt, no retries. Implementations must be safe to call from several threads at once.
class Transport {
  public:
    virtual ~Transport() = default;
    virtual Attempt perform(const Request& request, const Options& options) = 0;
};

// libcurl: http/https only, TLS verification always on, redirects limited, one reusable handle per thread.
std::shared_ptr<Transport> curl_transport();

// Time, made replaceable so tests of backoff and Retry-After take no real time.
class Clock {
  public:
    virtual ~Clock() = default;
    virtual std::chrono::steady_clock::time_point now() = 0;
    // Sleeps `duration`; returns false early when `cancel` is raised.
    virtual bool sleep_for(Millis duration, const std::atomic<bool>* cancel) = 0;
};
Clock& system_clock();

class Client {
  public:
    explicit Client(Options options, std::shared_ptr<Transport> transport = curl_transport(),
                    Clock* clock = &system_clock(), std::uint64_t jitter_seed = std::random_device{}());

    // Sends with the retry policy above. Every HTTP status comes back as a Response (callers interpret 4xx
    // and 5xx); an Error means no usable answer: unavailable (69) after retries, protocol (76) for TLS,
    // redirect or size problems, interrupted (130). Messages never contain a secret.
    Result<Response> send(const Request& request);

    // `text` with every configured secret replaced by "***".
    std::string mask(std::string_view text) const;
    const Options& options() const { return options_; }
    Clock& clock() { return *clock_; }
    // Attempts made so far (each retry counts), for benchmarks and tests.
    long attempts() const { return attempts_.load(); }

  private:
    Millis backoff(int retry);
    bool may_retry(const Request& request, const Attempt& attempt) const;

    Options options_;
    std::shared_ptr<Transport> transport_;
    Clock* clock_;
    std::mutex rng_mutex_;
    std::mt19937_64 rng_;
    std::atomic<long> attempts_{0};
};

// True for GET and HEAD: repeating them changes nothing on the server.
bool is_safe_method(std::string_view method);

// Seconds to wait from a Retry-After value (delta-seconds or an HTTP date); nullopt when unparsable.
std::optional<Millis> parse_retry_after(std::string_view value);

// The exit code an unexpected HTTP status maps to: 401/403 → no_permission, 429/5xx → unavailable,
// 3xx → protocol (a redirect we would not follow), other 4xx → failed.
ExitCode exit_code_for_status(int status);

// "https://host:port" of a URL (no path, no query, no credentials) for messages.
std::string origin_of(std::string_view url);

// The URL with any "user:password@" removed from its authority, for messages and stored values.
std::string without_userinfo(std::string_view url);

// True when the URL's authority carries "user@" or "user:password@".
bool has_userinfo(std::string_view url);

// True when the URL's host is 127.0.0.0/8, ::1 or localhost.
bool is_loopback(std::string_view url);

}  // namespace df::http
