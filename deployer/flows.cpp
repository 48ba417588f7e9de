// The three flows: deploy a skill, roll a skill back, remove a skill (each attempt's record: attempts.cpp).
#include <algorithm>
#include <filesystem>
#include <functional>

#include <fmt/format.h>

#include "common/text.h"
#include "deployer/internal.h"

namespace df::deployer {

namespace {

using Clock = std::chrono::steady_clock;

bool has_var(const std::vector<coolify::EnvVar>& vars, const coolify::EnvVar& v) {
    return std::any_of(vars.begin(), vars.end(), [&](const coolify::EnvVar& c) {
        return c.key == v.key && c.value == v.value && c.is_literal == v.is_literal;
    });
}

// Sets the environment, sending only what differs from what Coolify has. Returns whether anything changed.
Result<bool> sync_env(Session& s, Outcome& o, const Skill& skill, const std::string& app_uuid,
                      bool app_is_new) {
    auto vars = skill_env(s, skill, false);
    if (!vars) return vars.error();
    std::vector<coolify::EnvVar> current;
    if (!app_is_new) {
        auto listed = s.api.list_envs(app_uuid);
        if (!listed) return listed.error();
        current = std::move(*listed);
    }
    std::vector<coolify::EnvVar> changes;
    for (const auto& v : *vars) {
        if (!has_var(current, v)) changes.push_back(v);
    }
    if (!changes.empty()) o.remote_changed = true;
    if (auto st = s.api.set_envs(app_uuid, changes); !st) {
        auto settled =
            reconcile_write(s, skill.name, st.error(), "the environment update", [&]() -> Result<bool> {
                auto now = s.api.list_envs(app_uuid);
                if (!now) return now.error();
                return std::all_of(changes.begin(), changes.end(),
                                   [&](const coolify::EnvVar& v) { return has_var(*now, v); });
            });
        if (!settled) return settled.error();
    }
    return !changes.empty();
}

struct AppResult {
    std::string uuid, fqdn;
    bool created = false, changed = false;
    std::string previous_status;
};

// The uuid of the registry's app for the skill ("" when none), to choose it among duplicates.
std::string registry_app_uuid(const Session& s, const std::string& name) {
    auto reg = load_registry(s.config.registry.value);
    if (!reg) return {};
    auto it = reg->skills.find(name);
    return it == reg->skills.end() ? std::string() : it->second.app_uuid;
}

Result<AppResult> ensure_app(Session& s, Outcome& o, const Skill& skill) {
    auto version = s.version();
    if (!version) return version.error();
    const std::string app_name = "df-" + skill.name;
    const std::string known_uuid = registry_app_uuid(s, skill.name);
    auto existing = s.find_app(app_name, false, known_uuid);
    if (!existing) return existing.error();
    AppResult r;
    if (*existing) {
        r.uuid = (*existing)->uuid;
        r.fqdn = (*existing)->fqdn;
        r.previous_status = (*existing)->status;
        const auto patch = changed_fields(app_fields(skill, s.config, *version, false), **existing);
        if (!patch.empty()) {
            s.progress.line(skill.name,
                            fmt::format("updating {} ({} setting{})", app_name, patch.fields.size(),
                                        patch.fields.size() == 1 ? "" : "s"));
            o.remote_changed = true;
            if (auto st = s.api.update_application(r.uuid, patch); !st) {
                const auto desired = app_fields(skill, s.config, *version, false);
                auto settled =
                    reconcile_write(s, skill.name, st.error(), "the settings update", [&]() -> Result<bool> {
                        auto now = s.api.get_application(r.uuid);
                        if (!now) return now.error();
                        return *now && changed_fields(desired, **now).empty();
                    });
                if (!settled) return settled.error();
            }
            r.changed = true;
        }
        return r;
    }
    s.progress.line(skill.name, "creating " + app_name);
    const auto source = s.config.git_source.value == "deploy-key"   ? coolify::Source::deploy_key
                        : s.config.git_source.value == "github-app" ? coolify::Source::github_app
                                                                    : coolify::Source::public_repo;
    o.remote_changed = true;
    auto created = s.api.create_application(source, app_fields(skill, s.config, *version, true));
    if (!created) {
        const Error& lost = created.error();
        // Refused (4xx), or below proven to have made nothing: Coolify is as it was (nothing came before
        // the create: the app did not exist).
        if (!outcome_unknown(lost)) {
            o.remote_changed = false;
            return lost;
        }
        // The app may exist although the answer was lost: look before anything acts again (the HTTP
        // client and libcurl never re-send a POST), and adopt what is there.
        s.progress.line(skill.name, "the answer to the create was lost; looking for " + app_name);
        auto found = s.find_app(app_name, true, known_uuid);
        if (!found) {
            return Error{lost.code, fmt::format("{}; whether {} was created is unknown ({}); run deploy "
                                                "again, it adopts the app if it exists",
                                                lost.message, app_name, found.error().message)};
        }
        if (!*found) {
            o.remote_changed = false;
            return lost;
        }
        s.progress.line(skill.name, fmt::format("adopting {} ({}), created by the lost request", app_name,
                                                (*found)->uuid));
        r.uuid = (*found)->uuid;
        r.fqdn = (*found)->fqdn;
        r.created = r.changed = true;
        return r;
    }
    r.uuid = created->uuid;
    r.created = r.changed = true;
    // Without DF_DOMAIN this is the address Coolify generated: the summary shows where the app answers.
    r.fqdn = created->fqdn;
    if (r.fqdn.empty() && s.config.domain.set())
        r.fqdn = fmt::format("https://df-{}.{}", skill.name, s.config.domain.value);
    return r;
}

// After a failed deploy: redeploy the last good commit when auto-rollback is on.
Outcome& after_failure(Session& s, Outcome& o, const Skill& skill, const std::string& id,
                       const std::string& app_uuid, const std::string& why) {
    if (!rolls_back(s.options, skill)) return conclude(s, o, id, "failed", ExitCode::failed, why);
    auto reg = load_registry(s.config.registry.value);
    const DeployRecord* good =
        reg && reg->skills.count(o.name) ? reg->skills[o.name].last_good(o.commit) : nullptr;
    if (!good)
        return conclude(s, o, id, "failed", ExitCode::failed,
                        why + "; no earlier good deploy to roll back to");
    const std::string target = good->commit;
    s.progress.line(o.name, "rolling back to " + target.substr(0, 12));
    const std::string rb_id = new_record_id();
    if (auto r = record(s.config.registry.value, o.name, rb_id,
                        [&](SkillRecord&, DeployRecord& rec) {
                            rec.kind = "rollback";
                            rec.commit = target;
                            rec.status = "deploying";
                        });
        !r) {
        s.progress.line(o.name, "warning: the registry does not show the rollback yet: " + r.error().message);
    }
    const auto deadline = Clock::now() + deploy_timeout(s, &skill);
    auto w = redeploy_commit(s, o.name, app_uuid, target, deadline);
    bool healthy = false;
    if (w && w->end == WaitEnd::finished) {
        auto h =
            wait_healthy(s, o.name, app_uuid, std::min(deadline, Clock::now() + std::chrono::seconds(180)));
        healthy = h && *h;
    }
    Outcome rb = o;
    rb.deployment_uuid = w ? w->deployment.deployment_uuid : "";
    o.rolled_back_to = target;
    if (healthy) {
        conclude(s, rb, rb_id, "finished", ExitCode::ok, "rollback of " + o.commit.substr(0, 12), target);
        return conclude(s, o, id, "rolled_back", ExitCode::failed,
                        fmt::format("{}; rolled back to {}", why, target.substr(0, 12)), target);
    }
    const std::string rb_why =
        w ? (w->end == WaitEnd::finished
                 ? "the app did not become healthy"
                 : "the rollback deployment " + rb.deployment_uuid + " ended " + w->deployment.status)
          : w.error().message;
    conclude(s, rb, rb_id, "failed", ExitCode::failed, rb_why);
    return conclude(s, o, id, "rollback_failed", ExitCode::needs_attention,
                    fmt::format("{}; the rollback to {} failed too: {}", why, target.substr(0, 12), rb_why));
}

// The generated service secrets, for --show-secrets.
std::vector<std::pair<std::string, std::string>> service_secrets(const Session& s, const Skill& skill) {
    std::vector<std::pair<std::string, std::string>> out;
    if (auto vars = skill_env(s, skill, false)) {
        for (const auto& v : *vars) {
            if (v.key == "DF_TRIGGER_TOKEN" || v.key == "DF_APPROVE_TOKEN") out.emplace_back(v.key, v.value);
        }
    }
    return out;
}

// One write once the deployment exists, so even a killed deploy leaves what it started in the registry.
Status record_started(const Session& s, const Outcome& o, const std::string& id) {
    return record(s.config.registry.value, o.name, id, [&](SkillRecord& sk, DeployRecord& rec) {
        sk.branch = s.config.branch_prefix.value + o.name;
        sk.app_uuid = o.app_uuid;
        sk.app_name = "df-" + o.name;
        if (!o.fqdn.empty()) sk.fqdn = o.fqdn;
        rec.commit = o.commit;
        rec.deployment_uuid = o.deployment_uuid;
        rec.status = "deploying";
    });
}

}  // namespace

Outcome deploy_skill(Session& s, const Skill& skill, const std::string& id, const Result<Published>& pub) {
    Outcome o;
    o.name = skill.name;
    const auto deadline = Clock::now() + deploy_timeout(s, &skill);
    if (!pub) return conclude_error(s, o, id, pub.error());
    o.commit = pub->commit;
    o.changed = pub->changed;
    if (!pub->changed) s.progress.line(o.name, "tree unchanged; no new commit");
    auto app = ensure_app(s, o, skill);
    if (!app) return conclude_error(s, o, id, app.error());
    o.app_uuid = app->uuid;
    o.fqdn = app->fqdn;
    auto env_changed = sync_env(s, o, skill, app->uuid, app->created);
    if (!env_changed) return conclude_error(s, o, id, env_changed.error());
    if (s.options.show_secrets) o.secrets = service_secrets(s, skill);

    // Nothing changed anywhere and the app already runs this commit healthily: nothing to deploy.
    auto reg = load_registry(s.config.registry.value);
    const bool runs_this = reg && reg->skills.count(o.name) && reg->skills[o.name].commit == o.commit;
    if (!s.options.force && !pub->changed && !app->changed && !*env_changed && runs_this &&
        coolify::AppState::parse(app->previous_status).healthy()) {
        return conclude(s, o, id, "unchanged", ExitCode::ok, "already deployed and healthy", o.commit);
    }

    const bool changed_before = o.remote_changed;
    o.remote_changed = true;
    bool none_started = false;
    auto deployment = trigger_deploy(s, o.name, o.app_uuid, o.commit, deadline, &none_started);
    if (!deployment) {
        if (none_started) o.remote_changed = changed_before;  // proven: the lost request did nothing
        return conclude_error(s, o, id, deployment.error());
    }
    o.deployment_uuid = *deployment;
    if (auto w = record_started(s, o, id); !w) return conclude_error(s, o, id, w.error());
    if (!s.options.wait)
        return conclude(s, o, id, "deploying", ExitCode::ok, "started; not waited for (--no-wait)");

    auto w = wait_deployment(s, o.name, o.app_uuid, o.deployment_uuid, deadline);
    if (!w) return conclude_error(s, o, id, w.error());
    o.deployment_uuid = w->deployment.deployment_uuid;
    switch (w->end) {
        case WaitEnd::interrupted:
            return conclude_error(s, o, id, Error{ExitCode::interrupted, "interrupted"});
        case WaitEnd::timed_out: {
            // Cancelled so that it cannot land unnoticed later; when the cancel fails, the message says so.
            const auto cancelled = s.api.cancel_deployment(o.deployment_uuid);
            const auto limit = deploy_timeout(s, &skill).count();
            return conclude(
                s, o, id, "timed_out", ExitCode::timed_out,
                cancelled
                    ? fmt::format("the deployment did not finish within {} s and was cancelled; raise "
                                  "--timeout",
                                  limit)
                    : fmt::format("the deployment did not finish within {} s and could not be cancelled "
                                  "({}): it may still finish; raise --timeout",
                                  limit, cancelled.error().message));
        }
        case WaitEnd::failed:
        case WaitEnd::cancelled: {
            const std::string tail = log_tail(w->deployment, 12);
            s.progress.line(o.name, fmt::format("deployment {} {}{}", o.deployment_uuid, w->deployment.status,
                                                tail.empty() ? " (no build log visible: the token lacks "
                                                               "read:sensitive)"
                                                             : "; build log tail:\n" + tail));
            return after_failure(s, o, skill, id, o.app_uuid, "deployment " + w->deployment.status);
        }
        case WaitEnd::finished:
            break;
    }
    auto healthy =
        wait_healthy(s, o.name, o.app_uuid, std::min(deadline, Clock::now() + std::chrono::seconds(180)));
    if (!healthy) return conclude_error(s, o, id, healthy.error());
    if (!*healthy)
        return after_failure(s, o, skill, id, o.app_uuid, "the app did not become running:healthy");
    return conclude(s, o, id, "finished", ExitCode::ok, "", o.commit);
}

Outcome rollback_skill(Session& s, const std::string& name, const std::string& to_commit) {
    Outcome o;
    o.name = name;
    auto reg = load_registry(s.config.registry.value);
    if (!reg) return o.code = reg.error().code, o.message = reg.error().message, o.status = "failed", o;
    auto it = reg->skills.find(name);
    if (it == reg->skills.end() || it->second.app_uuid.empty()) {
        o.code = ExitCode::no_input, o.status = "failed";
        o.message = fmt::format("'{}' has no deployed app in the registry {}", name, s.config.registry.value);
        return o;
    }
    const SkillRecord& skill = it->second;
    auto chosen = rollback_target(skill, name, to_commit);
    if (!chosen) {
        o.code = chosen.error().code, o.status = "failed";
        o.message = chosen.error().message;
        return o;
    }
    const std::string target = *chosen;
    o.app_uuid = skill.app_uuid;
    o.fqdn = skill.fqdn;
    o.commit = target;
    const std::string id = new_record_id();
    if (auto w = record(s.config.registry.value, name, id,
                        [&](SkillRecord&, DeployRecord& rec) {
                            rec.kind = "rollback";
                            rec.commit = target;
                            rec.status = "deploying";
                        });
        !w) {
        return o.code = w.error().code, o.message = w.error().message, o.status = "failed", o;
    }
    o.record_id = id;
    s.progress.line(name, "rolling back to " + target.substr(0, 12));
    o.remote_changed = true;
    const auto deadline = Clock::now() + deploy_timeout(s, nullptr);
    auto w = redeploy_commit(s, name, o.app_uuid, target, deadline);
    if (!w) return conclude_error(s, o, id, w.error());
    o.deployment_uuid = w->deployment.deployment_uuid;
    if (w->end == WaitEnd::interrupted)
        return conclude_error(s, o, id, Error{ExitCode::interrupted, "interrupted"});
    if (w->end != WaitEnd::finished) {
        return conclude(s, o, id, w->end == WaitEnd::timed_out ? "timed_out" : "failed",
                        w->end == WaitEnd::timed_out ? ExitCode::timed_out : ExitCode::failed,
                        "the rollback deployment ended " + w->deployment.status);
    }
    auto healthy =
        wait_healthy(s, name, o.app_uuid, std::min(deadline, Clock::now() + std::chrono::seconds(180)));
    if (!healthy) return conclude_error(s, o, id, healthy.error());
    if (!*healthy)
        return conclude(s, o, id, "failed", ExitCode::failed, "the app did not become running:healthy");
    return conclude(s, o, id, "finished", ExitCode::ok, "rolled back", target);
}

Outcome remove_skill(Session& s, const std::string& name, bool delete_branch_too) {
    Outcome o;
    o.name = name;
    auto reg = load_registry(s.config.registry.value);
    if (!reg) return o.code = reg.error().code, o.message = reg.error().message, o.status = "failed", o;
    std::string app_uuid, branch = s.config.branch_prefix.value + name;
    if (auto it = reg->skills.find(name); it != reg->skills.end()) {
        app_uuid = it->second.app_uuid;
        if (!it->second.branch.empty()) branch = it->second.branch;
    }
    if (app_uuid.empty()) {
        auto found = s.find_app("df-" + name);
        if (!found)
            return o.code = found.error().code, o.message = found.error().message, o.status = "failed", o;
        if (*found) app_uuid = (*found)->uuid;
    }
    if (app_uuid.empty()) {
        o.code = ExitCode::no_input, o.status = "failed";
        o.message = fmt::format("there is no app df-{} in Coolify and no registry entry for it", name);
        return o;
    }
    o.app_uuid = app_uuid;
    const std::string id = new_record_id();
    if (auto w = record(s.config.registry.value, name, id,
                        [&](SkillRecord&, DeployRecord& rec) {
                            rec.kind = "remove";
                            rec.status = "deploying";
                        });
        !w) {
        return o.code = w.error().code, o.message = w.error().message, o.status = "failed", o;
    }
    o.record_id = id;
    s.progress.line(name, "deleting app df-" + name);
    o.remote_changed = true;
    auto existing = s.api.get_application(app_uuid);
    if (!existing) return conclude_error(s, o, id, existing.error());
    if (*existing) {
        if (auto d = s.api.delete_application(app_uuid); !d) {
            auto settled = reconcile_write(s, name, d.error(), "the delete", [&]() -> Result<bool> {
                auto now = s.api.get_application(app_uuid);
                if (!now) return now.error();
                return !now->has_value();
            });
            if (!settled) return conclude_error(s, o, id, settled.error());
        }
    }
    std::string note = "app deleted; branch " + branch + " kept";
    if (delete_branch_too) {
        if (auto d = delete_branch(s.git(), branch); !d) return conclude_error(s, o, id, d.error());
        note = "app and branch " + branch + " deleted";
    }
    std::error_code ignored;
    std::filesystem::remove(s.config.secrets_dir.value + "/" + name + ".env", ignored);
    auto& done = conclude(s, o, id, "removed", ExitCode::ok, note);
    if (auto r = record(s.config.registry.value, name, id,
                        [](SkillRecord& sk, DeployRecord&) {
                            sk.app_uuid.clear();
                            sk.commit.clear();
                        });
        !r) {
        s.progress.line(name, "warning: the registry still names the removed app: " + r.error().message);
    }
    return done;
}

}  // namespace df::deployer
