// The views on a skill's runs, from its service's hooks: `monitor NAME --runs` (a page of recent runs) and
// `monitor NAME --run RUN_ID` (one run record with its steps).
#pragma once

#include <string>

#include "monitor/json.h"
#include "monitor/model.h"
#include "monitor/service_client.h"
#include "monitor/style.h"

namespace df::monitor {

// RUN, STATUS, TRIGGER, STARTED, DURATION, FAILED STEP, ERROR; then the cursor for the next page.
std::string render_runs(const std::string& skill, const RunsPage& page, const Style& style);
// {"skill", "runs": [{run_id, status, trigger, version, started_at, ended_at, duration_ms, failed_step,
//  error, approval}], "next_before"}
std::string runs_json(const std::string& skill, const RunsPage& page);

// The record's status, times, error, approval, then one line per step (and rollback step).
Result<std::string> render_run(const std::string& record_json, const Style& style);

// "last_run": {"run_id", "status", "at", "failed_step", "error"} | null (null when the service was not
// asked).
void write_last_run(JsonOut& j, const LastRun& run);
// "failed 2026-12-03 10:46:02, step backup (run 2026…)" for people.
std::string last_run_text(const LastRun& run);

// Tone for a run status: succeeded good, failures bad, live and rejected warn.
Tone run_tone(std::string_view status);

}  // namespace df::monitor
