#include "deployer/provenance.h"

#include <ostream>
#include <unistd.h>

#include <fmt/format.h>

#include "common/evidence/crypto.h"
#include "common/evidence/ledger.h"
#include "common/files.h"
#include "common/json.h"
#include "common/registry.h"
#include "common/text.h"
#include "deployer/git.h"
#include "deployer/internal.h"

namespace df::deployer {
namespace {

using json::quote;

// A DigestSet with the digests that are known; the commit (git's content address) first.
std::string digest_set(const std::string& commit, const std::string& sha256) {
    std::string out;
    if (!commit.empty()) out += "\"gitCommit\":" + quote(commit);
    if (!sha256.empty()) out += std::string(out.empty() ? "" : ",") + "\"sha256\":" + quote(sha256);
    return "{" + out + "}";
}

// The in-toto Statement (SLSA provenance v1 predicate) of one attempt, compact JSON.
std::string statement(const ProvenanceFacts& f) {
    const std::string subject_digest = digest_set(f.commit, f.folder_sha256);
    const std::string external =
        fmt::format("{{\"skill\":{},\"action\":{},\"branch\":{},\"git_remote\":{}}}", quote(f.skill),
                    quote(f.action), quote(f.branch), quote(f.git_remote));
    const std::string internal =
        fmt::format("{{\"coolify_url\":{},\"app_uuid\":{}}}", quote(f.coolify_url), quote(f.app_uuid));
    std::string deps;
    if (!f.source_sha256.empty())
        deps = fmt::format(
            "{{\"name\":\"workflow source\",\"digest\":{{\"sha256\":{}}},\"annotations\":"
            "{{\"compiler_version\":{},\"skill_version\":{}}}}}",
            quote(f.source_sha256), quote(f.compiler_version), quote(f.skill_version));
    if (!f.commit.empty())
        deps += std::string(deps.empty() ? "" : ",") +
                fmt::format("{{\"uri\":{},\"digest\":{{\"gitCommit\":{}}}}}",
                            quote("git+" + f.git_remote + "@refs/heads/" + f.branch), quote(f.commit));
    const std::string byproducts =
        f.deployment_uuid.empty()
            ? std::string()
            : fmt::format(
                  "{{\"name\":\"coolify deployment\",\"uri\":{},\"annotations\":{{\"deployment_uuid\":{}}}}}",
                  quote(f.coolify_url + "/project/deployment/" + f.deployment_uuid),
                  quote(f.deployment_uuid));
    const std::string predicate = fmt::format(
        "{{\"buildDefinition\":{{\"buildType\":\"urn:dark-factory:deploy:v1\",\"externalParameters\":{},"
        "\"internalParameters\":{},\"resolvedDependencies\":[{}]}},\"runDetails\":{{\"builder\":{{\"id\":"
        "\"urn:dark-factory:deploy\",\"version\":{{\"deploy\":{}}}}},\"metadata\":{{\"invocationId\":{},"
        "\"startedOn\":{},\"finishedOn\":{}}},\"byproducts\":[{}]}},\"outcome\":{{\"status\":{},\"exit_"
        "code\":{},"
        "\"message\":{},\"actor\":{}}}}}",
        external, internal, deps, quote(DF_VERSION), quote(f.invocation_id), quote(f.started_at),
        quote(f.finished_at), byproducts, quote(f.status), f.exit_code, quote(f.message), quote(f.actor));
    return fmt::format(
        "{{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{{\"name\":{},\"digest\":{}}}],"
        "\"predicateType\":\"https://slsa.dev/provenance/v1\",\"predicate\":{}}}",
        quote(f.skill), subject_digest, predicate);
}

// The published files' digest: SHA-256 of sha256sum's output over them, sorted by path (docs/evidence.md).
std::string folder_sha256(const std::string& dir) {
    auto files = publishable_files(dir);
    if (!files) return {};
    std::string listing;
    for (const auto& rel : *files) {
        auto content = read_file(dir + "/" + rel, 64u << 20);
        if (!content) return {};
        listing += sha256_hex(*content) + "  ./" + rel + "\n";
    }
    return sha256_hex(listing);
}

}  // namespace

ProvenanceFacts deploy_facts(const Skill& skill, const Outcome& o, const std::string& record_id) {
    ProvenanceFacts f;
    f.skill = skill.name, f.action = "deploy", f.folder_sha256 = folder_sha256(skill.dir);
    f.source_sha256 = skill.manifest.source_sha256, f.compiler_version = skill.manifest.compiler_version;
    f.skill_version = skill.manifest.version;
    f.commit = o.commit, f.app_uuid = o.app_uuid, f.deployment_uuid = o.deployment_uuid;
    f.invocation_id = record_id, f.status = o.status, f.message = o.message;
    f.exit_code = static_cast<int>(o.code);
    return f;
}

ProvenanceFacts change_facts(const std::string& registry, const std::string& action,
                             const std::string& name) {
    ProvenanceFacts f;
    f.skill = name, f.action = action;
    // What the registry knows of the skill: the commit that runs, the app, and the newest attempt's workflow
    // digests.
    if (auto reg = load_registry(registry); reg) {
        if (auto it = reg->skills.find(name); it != reg->skills.end()) {
            f.commit = it->second.commit, f.app_uuid = it->second.app_uuid;
            if (!it->second.history.empty()) {
                const auto& last = it->second.history.back();
                f.source_sha256 = last.source_sha256, f.compiler_version = last.compiler_version;
                f.skill_version = last.skill_version;
            }
        }
    }
    return f;
}

ProvenanceFacts complete_facts(ProvenanceFacts f, const Outcome& o) {
    if (!o.commit.empty()) f.commit = o.commit;  // a rollback's target
    if (!o.app_uuid.empty()) f.app_uuid = o.app_uuid;
    f.deployment_uuid = o.deployment_uuid, f.status = o.status, f.message = o.message;
    f.invocation_id = o.record_id;
    f.exit_code = static_cast<int>(o.code);
    return f;
}

void record_provenance(const ProvenanceContext& ctx, std::vector<ProvenanceFacts> facts, std::ostream& err) {
    const std::string path = evidence::provenance_ledger_path(ctx.registry);
    for (auto& f : facts) {
        if (f.commit.empty() && f.folder_sha256.empty()) {
            // Nothing names what it was about (a removal of a skill the registry never had): no Statement.
            report_note(err, "note",
                        fmt::format("{}: no provenance entry: no commit or folder digest to name", f.skill));
            continue;
        }
        f.actor = ctx.actor, f.started_at = ctx.started_at, f.finished_at = utc_timestamp();
        f.coolify_url = ctx.coolify_url, f.git_remote = ctx.git_remote,
        f.branch = ctx.branch_prefix + f.skill;
        const std::string stmt = statement(f);
        auto added = evidence::append(
            path,
            [&](std::size_t seq, const std::string& prev) {
                return fmt::format(
                    "{{\"seq\":{},\"skill\":{},\"action\":{},\"statement\":{},\"prev_sha256\":{}}}", seq,
                    quote(f.skill), quote(f.action), stmt, quote(prev));
            },
            ctx.key);
        if (!added)
            report_note(
                err, "warning",
                fmt::format("{}: no provenance entry in {}: {}", f.skill, path, added.error().message));
    }
}

ExitCode print_provenance(const std::string& registry, const std::string& name, const std::string& key,
                          std::ostream& out, std::ostream& err) {
    const std::string path = evidence::provenance_ledger_path(registry);
    auto text = read_file(path, 256u << 20);
    if (!text)
        return report(
            err, Error{ExitCode::no_input, fmt::format("no provenance ledger: {}", text.error().message)});
    std::string found;
    for (std::size_t at = 0; at < text->size();) {
        const auto nl = text->find('\n', at);
        const auto line =
            std::string_view(*text).substr(at, (nl == std::string::npos ? text->size() : nl) - at);
        at = nl == std::string::npos ? text->size() : nl + 1;
        const auto e = evidence::parse_line(line);
        if (!e) continue;
        auto doc = json::parse(e->body, path, ExitCode::data_error);
        if (doc && doc->IsObject() && json::str(*doc, "skill") == name) found = e->body;
    }
    if (found.empty())
        return report(
            err, Error{ExitCode::no_input, fmt::format("{} has no provenance entry for '{}'", path, name)});
    // The Statement's exact bytes as the ledger holds them (the entry's fields before it are plain words).
    const auto from = found.find(",\"statement\":"), to = found.rfind(",\"prev_sha256\":");
    if (from == std::string::npos || to == std::string::npos || to < from)
        return report(err, Error{ExitCode::data_error,
                                 fmt::format("{}: an entry of '{}' has no statement", path, name)});
    const std::string payload = found.substr(from + 13, to - from - 13);
    std::string signatures = "[]";
    if (!key.empty()) {
        auto id = evidence::key_id(key, false);
        auto sig = id ? evidence::sign(key, evidence::pae(evidence::kStatementType, payload)) : id.error();
        if (!sig) return report(err, Error{ExitCode::config, "DF_EVIDENCE_KEY: " + sig.error().message});
        signatures = fmt::format("[{{\"keyid\":{},\"sig\":{}}}]", quote(*id), quote(evidence::base64(*sig)));
    } else {
        report_note(err, "note", "DF_EVIDENCE_KEY is not set: the envelope is unsigned (\"signatures\": [])");
    }
    out << fmt::format("{{\"payloadType\":{},\"payload\":{},\"signatures\":{}}}\n",
                       quote(evidence::kStatementType), quote(evidence::base64(payload)), signatures);
    return ExitCode::ok;
}

}  // namespace df::deployer
