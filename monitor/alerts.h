// Alert once, resolve once (Alertmanager's rule, reference/phase2.md §4.4): `monitor --check --notify`
// remembers the last verdict under $XDG_STATE_HOME and sends a message only when it changes
// (healthy → failing, failing → healthy). The state file is changed under an flock and replaced
// atomically, so concurrent cron calls decide once; a message is sent once and never re-sent.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "common/coolify/http.h"
#include "common/env.h"
#include "common/error.h"
#include "monitor/check.h"

namespace df::monitor {

enum class AlertState { healthy, failing };
std::string_view alert_state_name(AlertState s);

// The transition to announce, if any. No stored state counts as healthy: a first failing check alerts,
// a first healthy one says nothing.
struct AlertTransition {
    AlertState from, to;
};
std::optional<AlertTransition> alert_transition(std::optional<AlertState> stored, AlertState now);

// ${XDG_STATE_HOME:-$HOME/.local/state}/dark-factory/monitor-alerts.json; config (78) without either.
Result<std::string> alert_state_path(const EnvLookup& env);

// Under an exclusive lock on `<path>.lock`: reads the state stored for `key` (the registry checked),
// stores `now` (atomic replace) and returns the transition. A corrupt state file is data_error, untouched.
Result<std::optional<AlertTransition>> record_alert_state(const std::string& path, const std::string& key,
                                                          AlertState now, const std::string& at);

// The JSON message: `text` for Slack and Mattermost incoming webhooks, and the structured fields
// (status, previous, summary, total, healthy, problems, at). docs/monitor.md documents it.
std::string alert_payload(const CheckResult& result, const AlertTransition& t, const std::string& at);

struct NotifyTargets {
    std::vector<std::string> urls;      // --notify URL (repeatable)
    std::vector<std::string> commands;  // --notify-cmd CMD (repeatable)
    bool any() const { return !urls.empty() || !commands.empty(); }
};

// POSTs the payload to each URL once (no retry: a POST whose answer is lost may have been delivered) and
// runs each command with the payload on stdin and DF_ALERT_STATUS/DF_ALERT_PREVIOUS/DF_ALERT_SUMMARY in
// its environment (never in its command line). Each failure is one warning on `err`; returns false if any.
bool deliver_alert(const NotifyTargets& targets, const std::string& payload, const AlertTransition& t,
                   const std::string& summary, std::shared_ptr<http::Transport> transport, http::Clock* clock,
                   std::ostream& err);

}  // namespace df::monitor
