// `monitor NAME --diagnose [RUN_ID]`: the meta-agent. Gathers what explains a failed run (its record from
// the service, the failed step's commands and the workflow's guardrails from the compiled skill folder, the
// last deployments from the registry), masks every secret monitor knows, asks the OpenClaw Gateway's chat
// endpoint once (as agent steps do: docs/run.md, "Agent steps") and prints the diagnosis and a proposed fix.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/error.h"
#include "common/manifest.h"
#include "common/registry.h"

namespace df::monitor {

inline constexpr std::size_t kDiagnoseDeployments = 5;
inline constexpr int kDiagnoseLogLines = 100;  // the log tail asked of the service (it caps it at 16 KiB)

struct DiagnoseInput {
    std::string skill;
    std::string run_id;
    std::string record_json;                // the run record as the status hook returned it
    std::string log_tail;                   // the end of the run's log (the service masked what it knows)
    std::string log_note;                   // why there is no log tail, when there is none
    std::optional<Manifest> manifest;       // from --skill-dir, when given
    std::string workflow_text;              // the workflow's Markdown source, when the skill folder has it
    std::vector<DeployRecord> deployments;  // newest first
    std::vector<std::string> secrets;       // values replaced by "***" wherever they appear
};

// The user message sent to the agent (pure; tests read it). Every secret is masked.
std::string diagnose_prompt(const DiagnoseInput& input);

// Replaces every occurrence of each non-empty secret (longest first) by "***".
std::string mask_secrets(std::string text, std::vector<std::string> secrets);

struct Diagnosis {
    std::string text;  // the agent's reply
    std::string diff;  // the last ```diff block of the reply; empty when it proposed none
};
Diagnosis parse_diagnosis(const std::string& reply);

}  // namespace df::monitor
