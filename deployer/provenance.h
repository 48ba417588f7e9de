// Provenance of deploys, rollbacks and removals (docs/evidence.md, "What a deploy leaves"): each attempt
// appends an in-toto Statement with an SLSA provenance v1 predicate to a hash-chained ledger beside the
// registry (signed when DF_EVIDENCE_KEY names an Ed25519 key); `deploy --evidence NAME` prints the newest
// one of a skill as a DSSE envelope. monitor --verify-evidence checks the ledger offline.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "common/error.h"

namespace df::deployer {

struct Skill;
struct Outcome;

// What one attempt's Statement says.
struct ProvenanceFacts {
    std::string skill, action;  // action: deploy | rollback | remove
    std::string folder_sha256;  // deploy: the published files (docs/evidence.md has the recipe)
    std::string source_sha256, compiler_version, skill_version;
    std::string commit, git_remote, branch, coolify_url, app_uuid, deployment_uuid;
    std::string invocation_id, actor, started_at, finished_at;
    std::string status, message;
    int exit_code = 0;
};

// The facts of a deploy from its skill folder, or of a rollback/removal from the registry as it was before.
ProvenanceFacts deploy_facts(const Skill& skill, const Outcome& o, const std::string& record_id);
ProvenanceFacts change_facts(const std::string& registry, const std::string& action, const std::string& name);
// The outcome of the rollback or removal `facts` describes (read before it changed the registry).
ProvenanceFacts complete_facts(ProvenanceFacts facts, const Outcome& o);

// What all attempts of one invocation share.
struct ProvenanceContext {
    std::string registry, key;  // key: DF_EVIDENCE_KEY (empty: unsigned)
    std::string actor, started_at, coolify_url, git_remote, branch_prefix;
};

// Appends each attempt's entry; a failure is a warning on `err`: the deploy's own result stands.
void record_provenance(const ProvenanceContext& ctx, std::vector<ProvenanceFacts> facts, std::ostream& err);

// deploy --evidence NAME: the newest entry of skill NAME as a DSSE envelope on `out`.
ExitCode print_provenance(const std::string& registry, const std::string& name, const std::string& key,
                          std::ostream& out, std::ostream& err);

}  // namespace df::deployer
