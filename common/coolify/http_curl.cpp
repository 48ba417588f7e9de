// The libcurl transport: one attempt per call, strict settings, nothing retried here.
#include <memory>
#include <mutex>

#include <curl/curl.h>
#include <fmt/format.h>

#include "common/coolify/http.h"
#include "common/text.h"

namespace df::http {
namespace {

struct Sink {
    Response* response;
    std::size_t limit;
    bool too_large = false;
    const std::atomic<bool>* cancel;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto* sink = static_cast<Sink*>(user);
    const std::size_t n = size * count;
    if (sink->response->body.size() + n > sink->limit) {
        sink->too_large = true;
        return 0;  // makes curl stop with CURLE_WRITE_ERROR
    }
    sink->response->body.append(data, n);
    return n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
    auto* sink = static_cast<Sink*>(user);
    const std::size_t n = size * count;
    const std::string_view line = trim(std::string_view(data, n));
    if (line.rfind("HTTP/", 0) == 0) {
        sink->response->headers.clear();  // a redirect or 100-continue: only the final response counts
        return n;
    }
    const auto colon = line.find(':');
    if (colon != std::string_view::npos) {
        sink->response->headers.emplace_back(to_lower(trim(line.substr(0, colon))),
                                             std::string(trim(line.substr(colon + 1))));
    }
    return n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    const auto* sink = static_cast<Sink*>(user);
    return sink->cancel && sink->cancel->load() ? 1 : 0;
}

Failure classify(CURLcode code, CURL* curl) {
    switch (code) {
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_COULDNT_CONNECT:
            return Failure::not_sent;
        case CURLE_OPERATION_TIMEDOUT: {
            curl_off_t connected = 0;
            curl_easy_getinfo(curl, CURLINFO_CONNECT_TIME_T, &connected);
            return connected == 0 ? Failure::not_sent : Failure::timed_out;
        }
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_ISSUER_ERROR:
            return Failure::tls;
        case CURLE_TOO_MANY_REDIRECTS:
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
        case CURLE_WEIRD_SERVER_REPLY:
            return Failure::protocol;
        case CURLE_ABORTED_BY_CALLBACK:
            return Failure::interrupted;
        default:
            return Failure::lost;  // GOT_NOTHING, RECV_ERROR, SEND_ERROR, PARTIAL_FILE, ...
    }
}

struct HandleDeleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct ListDeleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

class CurlTransport final : public Transport {
  public:
    CurlTransport() {
        static std::once_flag once;
        std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    }

    Attempt perform(const Request& request, const Options& options) override {
        // One handle per thread keeps its connection cache between requests (keep-alive, TLS sessions).
        thread_local std::unique_ptr<CURL, HandleDeleter> handle(curl_easy_init());
        CURL* curl = handle.get();
        if (!curl) return TransportError{Failure::lost, "cannot initialise libcurl"};
        curl_easy_reset(curl);

        Response response;
        Sink sink{&response, options.max_response_bytes, false, options.cancel};
        char error_buffer[CURL_ERROR_SIZE] = {};
        std::unique_ptr<curl_slist, ListDeleter> headers;
        for (const auto& [k, v] : request.headers) {
            headers.reset(curl_slist_append(headers.release(), fmt::format("{}: {}", k, v).c_str()));
        }
        if (!request.body.empty()) {
            headers.reset(curl_slist_append(headers.release(), "Expect:"));  // no 100-continue round trip
        }

        curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, options.max_redirects > 0 ? 1L : 0L);
        curl_easy_setopt(curl, CURLOPT_MAXREDIRS, static_cast<long>(options.max_redirects));
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
        curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options.total_timeout.count()));
        curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, options.low_speed_bytes);
        curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options.low_speed_window.count()));
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
        if (!options.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options.ca_file.c_str());
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_USERAGENT, options.user_agent.c_str());
        curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
        curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
        curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(curl, CURLOPT_HEADERDATA, &sink);
        curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &sink);
        if (request.method == "GET") {
            curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
        } else if (request.method == "HEAD") {
            curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
        } else {
            // libcurl silently re-sends a request on a fresh connection when a reused one dies before any
            // answer byte arrives (Curl_retry_request; CURLOPT_FORBID_RETRY_ON_REUSE only exists from 8.16).
            // The server may have acted on the first copy, so a POST/PATCH/DELETE never rides a reused
            // connection: it cannot be re-sent below us. One extra connect per write is cheap.
            curl_easy_setopt(curl, CURLOPT_FRESH_CONNECT, 1L);
            curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
            curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
            curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.c_str());
        }

        const CURLcode code = curl_easy_perform(curl);
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);  // `headers` dies before the next reset
        if (code != CURLE_OK) {
            if (sink.too_large) {
                return TransportError{Failure::too_large,
                                      fmt::format("the answer exceeds {} bytes", options.max_response_bytes)};
            }
            const std::string detail = error_buffer[0] ? error_buffer : curl_easy_strerror(code);
            return TransportError{classify(code, curl), detail};
        }
        long status = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        response.status = static_cast<int>(status);
        return response;
    }
};

}  // namespace

std::shared_ptr<Transport> curl_transport() {
    static auto transport = std::make_shared<CurlTransport>();
    return transport;
}

}  // namespace df::http
