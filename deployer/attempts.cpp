// Each flow's attempt in the registry: its entry (record, new_record_id), its end (conclude), and a write
// whose answer was lost, reconciled before anything is decided (reconcile_write).
#include <algorithm>
#include <functional>
#include <random>

#include <fmt/format.h>

#include "common/text.h"
#include "deployer/internal.h"

namespace df::deployer {

std::string new_record_id() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    std::string ts = utc_timestamp();
    std::erase(ts, '-');
    std::erase(ts, ':');
    return fmt::format("{}-{:08x}", ts, rng() & 0xffffffffu);
}

Status record(const std::string& registry, const std::string& name, const std::string& id,
              const std::function<void(SkillRecord&, DeployRecord&)>& change, bool sets_status) {
    return update_registry(registry, [&](Registry& r) {
        SkillRecord& skill = r.skills[name];
        DeployRecord* rec = skill.find(id);
        if (!rec) {
            skill.history.push_back(DeployRecord{});
            rec = &skill.history.back();
            rec->id = id;
            rec->started_at = utc_timestamp();
        }
        change(skill, *rec);
        // "pending" is what begin_records gives a skill that has never had an attempt end.
        if (sets_status || skill.status.empty() || skill.status == "pending") {
            skill.status = rec->status;
            skill.updated_at = utc_timestamp();
        }
        return ok();
    });
}

namespace {

bool final_status(const std::string& status) {
    return status != "pending" && status != "deploying";
}

}  // namespace

// Records the end of an attempt and fills the outcome; registry trouble is added to the message.
Outcome& conclude(Session& s, Outcome& o, const std::string& id, const std::string& status, ExitCode code,
                  const std::string& message, const std::string& running_commit) {
    o.status = status;
    o.code = code;
    o.message = message;
    auto w = record(
        s.config.registry.value, o.name, id,
        [&](SkillRecord& skill, DeployRecord& rec) {
            rec.status = status;
            rec.message = message;
            if (final_status(status)) rec.finished_at = utc_timestamp();
            if (!o.deployment_uuid.empty()) rec.deployment_uuid = o.deployment_uuid;
            if (!o.commit.empty() && rec.commit.empty()) rec.commit = o.commit;
            if (!o.app_uuid.empty() && rec.kind == "deploy") {
                skill.app_uuid = o.app_uuid;
                skill.app_name = "df-" + o.name;
                skill.branch = s.config.branch_prefix.value + o.name;
            }
            if (!o.fqdn.empty()) skill.fqdn = o.fqdn;
            if (!running_commit.empty()) skill.commit = running_commit;
        },
        o.remote_changed || status == "finished" || status == "unchanged");
    if (!w) {
        o.message +=
            (o.message.empty() ? "" : "; ") + std::string("registry not updated: ") + w.error().message;
        if (o.code == ExitCode::ok) o.code = w.error().code;
    }
    return o;
}

Outcome& conclude_error(Session& s, Outcome& o, const std::string& id, const Error& e) {
    const bool stopped = e.code == ExitCode::interrupted;
    std::string message = e.message;
    if (stopped && !o.deployment_uuid.empty()) {
        message = fmt::format("interrupted; Coolify deployment {} may still be running", o.deployment_uuid);
    }
    return conclude(s, o, id,
                    stopped ? "interrupted" : (e.code == ExitCode::timed_out ? "timed_out" : "failed"),
                    e.code, message);
}

std::chrono::seconds deploy_timeout(const Session& s, const Skill* skill) {
    if (s.options.timeout) return *s.options.timeout;
    if (skill && skill->manifest.workflow.policy.run_timeout_seconds) {
        return std::chrono::seconds(*skill->manifest.workflow.policy.run_timeout_seconds);
    }
    return std::chrono::seconds(600);
}

// After a write whose answer was lost (or a 5xx, or an unreadable 2xx), the server may have acted: read back
// what it has (`applied`) before deciding, and never send the write again. Applied: the write succeeded.
// Not applied, or nothing readable: the original error stands.
Status reconcile_write(Session& s, const std::string& name, const Error& e, std::string_view what,
                       const std::function<Result<bool>()>& applied) {
    if (!outcome_unknown(e)) return e;
    s.progress.line(name, fmt::format("the answer to {} was lost; reading back what Coolify has", what));
    auto r = applied();
    if (!r || !*r) return e;
    s.progress.line(name, fmt::format("{} took effect", what));
    return ok();
}

}  // namespace df::deployer
