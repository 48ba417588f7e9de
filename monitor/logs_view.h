// `monitor NAME --logs` and `monitor NAME --deployment [UUID]`: runtime logs and build logs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/coolify/coolify.h"
#include "monitor/style.h"

namespace df::monitor {

// A deployment and its build log entries, hidden ones already dropped, in Coolify's (batch, order) order.
struct BuildLog {
    std::string app_name;
    coolify::Deployment deployment;
    std::vector<coolify::LogEntry> entries;
};

// Keeps the visible entries of a parsed build log (Coolify hides its own bookkeeping commands).
std::vector<coolify::LogEntry> visible_entries(std::vector<coolify::LogEntry> entries);

// A header line (uuid, status, commit, start, duration) and the entries' output, stderr in red on a terminal.
std::string render_build_log(const BuildLog& log, const Style& style, std::int64_t now);
// {"app", "deployment": {...}, "entries": [{"timestamp", "type", "output", "command"}]}
std::string build_log_json(const BuildLog& log, std::int64_t now);

// Runtime logs; when the app is not running, `lines` is empty and `stopped_build_log` may hold the last
// deployment's build log.
struct RuntimeLogs {
    std::string app_name, app_uuid, status;
    bool running = true;
    std::vector<std::string> lines;
    std::optional<BuildLog> stopped_build_log;
};

std::string render_runtime_logs(const RuntimeLogs& logs, const Style& style, std::int64_t now);
// {"app", "uuid", "status", "running", "lines": [...], "build_log": {...}|null}
std::string runtime_logs_json(const RuntimeLogs& logs, std::int64_t now);

}  // namespace df::monitor
