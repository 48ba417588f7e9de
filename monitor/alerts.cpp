#include "monitor/alerts.h"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <ostream>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "common/files.h"
#include "common/json.h"
#include "monitor/json.h"

namespace df::monitor {

namespace {

constexpr std::size_t kTextProblems = 10;  // lines of problems in a message's text

// Slack's mrkdwn reads &, < and > as markup; user text must not (reference/phase2.md §4.1).
std::string slack_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '&')
            out += "&amp;";
        else if (c == '<')
            out += "&lt;";
        else if (c == '>')
            out += "&gt;";
        else
            out += c;
    }
    return out;
}

std::string message_text(const CheckResult& result, const AlertTransition& t) {
    if (t.to == AlertState::healthy) return "Dark Factory: resolved. " + slack_escape(result.summary);
    std::string text = "Dark Factory: " + slack_escape(result.summary);
    for (std::size_t i = 0; i < result.problems.size() && i < kTextProblems; ++i) {
        const auto& p = result.problems[i];
        text += fmt::format("\n- {}: {}; {}", slack_escape(p.app), slack_escape(p.reason),
                            slack_escape(p.action));
    }
    if (result.problems.size() > kTextProblems)
        text += fmt::format("\n- and {} more", result.problems.size() - kTextProblems);
    return text;
}

// An flock held for the object's life; the lock file stays (removing it would race other holders).
class FileLock {
  public:
    explicit FileLock(const std::string& path)
        : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
        if (fd_ >= 0 && ::flock(fd_, LOCK_EX) != 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }
    ~FileLock() {
        if (fd_ >= 0) ::close(fd_);
    }
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;
    bool held() const { return fd_ >= 0; }

  private:
    int fd_;
};

std::string parent_dir(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? "." : path.substr(0, slash);
}

// The stored states: key → {"state", "since"}.
Result<rapidjson::Document> read_states(const std::string& path) {
    rapidjson::Document doc;
    doc.SetObject();
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) return doc;
    auto text = read_file(path, 1 << 20);
    if (!text) return text.error();
    auto parsed = json::parse(*text, path, ExitCode::data_error);
    if (!parsed || !parsed->IsObject())
        return Error{
            ExitCode::data_error,
            fmt::format("the alert state file {} is corrupt; move it aside (the next check starts afresh)",
                        path)};
    return parsed;
}

std::string document_text(const rapidjson::Document& doc) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    doc.Accept(w);
    return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

Status post_once(const std::string& url, const std::string& payload,
                 std::shared_ptr<http::Transport> transport, http::Clock* clock) {
    http::Options o;
    o.connect_timeout = http::Millis(5'000);
    o.total_timeout = http::Millis(10'000);
    o.max_attempts = 1;  // never re-sent: a lost answer may mean a delivered message
    o.max_response_bytes = 64 * 1024;
    o.secrets = {url};  // webhook URLs carry their key in the path
    http::Client client(o, std::move(transport), clock);
    auto r = client.send(http::Request{"POST", url, {{"Content-Type", "application/json"}}, payload});
    if (!r) return r.error();
    if (r->status < 200 || r->status > 299)
        return Error{ExitCode::unavailable,
                     fmt::format("{} answered HTTP {}", http::origin_of(url), r->status)};
    return ok();
}

// Runs `sh -c CMD` with the payload on stdin; the message's data is in its stdin and environment only.
Status run_command(const std::string& command, const std::string& payload, const AlertTransition& t,
                   const std::string& summary) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return Error{ExitCode::io_error, errno_text(errno)};
    const pid_t pid = ::fork();
    if (pid < 0) return Error{ExitCode::io_error, errno_text(errno)};
    if (pid == 0) {
        ::dup2(fds[0], STDIN_FILENO);
        ::setenv("DF_ALERT_STATUS", t.to == AlertState::failing ? "failing" : "resolved", 1);
        ::setenv("DF_ALERT_PREVIOUS", std::string(alert_state_name(t.from)).c_str(), 1);
        ::setenv("DF_ALERT_SUMMARY", summary.c_str(), 1);
        ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(fds[0]);
    std::signal(SIGPIPE, SIG_IGN);  // a command that does not read its stdin must not end monitor
    std::size_t done = 0;
    while (done < payload.size()) {
        const ssize_t n = ::write(fds[1], payload.data() + done, payload.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        done += static_cast<std::size_t>(n);
    }
    ::close(fds[1]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return ok();
    return Error{ExitCode::failed, WIFEXITED(status)
                                       ? fmt::format("exited with status {}", WEXITSTATUS(status))
                                       : "ended by a signal"};
}

}  // namespace

std::string_view alert_state_name(AlertState s) {
    return s == AlertState::failing ? "failing" : "healthy";
}

std::optional<AlertTransition> alert_transition(std::optional<AlertState> stored, AlertState now) {
    const AlertState before = stored.value_or(AlertState::healthy);
    if (before == now) return std::nullopt;
    return AlertTransition{before, now};
}

Result<std::string> alert_state_path(const EnvLookup& env) {
    if (auto state = env("XDG_STATE_HOME"); state && !state->empty() && (*state)[0] == '/')
        return *state + "/dark-factory/monitor-alerts.json";
    if (auto home = env("HOME"); home && !home->empty())
        return *home + "/.local/state/dark-factory/monitor-alerts.json";
    return Error{ExitCode::config, "cannot place the alert state: set XDG_STATE_HOME or HOME"};
}

Result<std::optional<AlertTransition>> record_alert_state(const std::string& path, const std::string& key,
                                                          AlertState now, const std::string& at) {
    std::error_code ec;
    std::filesystem::create_directories(parent_dir(path), ec);
    FileLock lock(path + ".lock");
    if (!lock.held())
        return Error{ExitCode::cant_create, fmt::format("cannot lock {}.lock: {}", path, errno_text(errno))};
    auto states = read_states(path);
    if (!states) return states.error();
    std::optional<AlertState> stored;
    if (const auto* entry = json::member(*states, key); entry && entry->IsObject())
        stored = json::str(*entry, "state") == "failing" ? AlertState::failing : AlertState::healthy;
    const auto transition = alert_transition(stored, now);
    if (!transition && stored) return transition;  // nothing changed: nothing written
    auto& alloc = states->GetAllocator();
    rapidjson::Value entry(rapidjson::kObjectType);
    const std::string state(alert_state_name(now));
    entry.AddMember("state", rapidjson::Value(state.c_str(), alloc), alloc);
    entry.AddMember("since", rapidjson::Value(at.c_str(), alloc), alloc);
    states->RemoveMember(key.c_str());
    states->AddMember(rapidjson::Value(key.c_str(), alloc), entry, alloc);
    if (auto w = write_file_atomic(path, document_text(*states), 0600); !w) return w.error();
    return transition;
}

std::string alert_payload(const CheckResult& result, const AlertTransition& t, const std::string& at) {
    JsonOut j(false);
    j.begin_object();
    j.field("text", message_text(result, t));
    j.field("status", t.to == AlertState::failing ? "failing" : "resolved");
    j.field("previous", alert_state_name(t.from));
    put_check_fields(j, result);
    j.field("at", at);
    j.field("source", "dark-factory monitor");
    j.end_object();
    return j.str();
}

bool deliver_alert(const NotifyTargets& targets, const std::string& payload, const AlertTransition& t,
                   const std::string& summary, std::shared_ptr<http::Transport> transport, http::Clock* clock,
                   std::ostream& err) {
    bool all = true;
    for (std::size_t i = 0; i < targets.urls.size(); ++i) {
        if (auto s = post_once(targets.urls[i], payload, transport, clock); !s) {
            all = false;
            report_note(err, "warning",
                        fmt::format("notify URL #{} ({}): {}; not re-sent (it may have arrived)", i + 1,
                                    http::origin_of(targets.urls[i]), s.error().message));
        }
    }
    for (std::size_t i = 0; i < targets.commands.size(); ++i) {
        if (auto s = run_command(targets.commands[i], payload, t, summary); !s) {
            all = false;
            report_note(err, "warning", fmt::format("notify command #{}: {}", i + 1, s.error().message));
        }
    }
    return all;
}

}  // namespace df::monitor
