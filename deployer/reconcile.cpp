// Decisions deploy makes before it acts and after a request whose outcome it cannot know: which --env
// values the skill's service would refuse, and what a lost answer to a create or a deploy really did.
// Pure functions over what was listed, so the unit tests reach them without a server.
#include <algorithm>
#include <regex>

#include <fmt/format.h>

#include "deployer/internal.h"

namespace df::deployer {

namespace {

// The service's entrypoint (compiler/templates/service/entrypoint, check_secret) refuses these at start,
// which on Coolify is a crash loop: refuse them here instead.
constexpr const char* kServiceSecrets[] = {"DF_TRIGGER_TOKEN", "DF_TRIGGER_HMAC_SECRET", "DF_APPROVE_TOKEN"};

Status check_service_value(const std::string& key, const std::string& value) {
    const bool secret =
        std::find(std::begin(kServiceSecrets), std::end(kServiceSecrets), key) != std::end(kServiceSecrets);
    if (secret) {
        if (value.size() < 16) {
            return Error{ExitCode::usage,
                         fmt::format("--env {}: the service refuses a value shorter than 16 characters "
                                     "(e.g. openssl rand -hex 32)",
                                     key)};
        }
        const bool printable =
            std::all_of(value.begin(), value.end(), [](char c) { return c > ' ' && c <= '~'; });
        if (!printable || value.find('\'') != std::string::npos) {
            return Error{ExitCode::usage, fmt::format("--env {}: the service accepts only printable ASCII "
                                                      "without spaces or single quotes",
                                                      key)};
        }
    }
    if (key == "DF_PORT") {
        static const std::regex port(R"(^[0-9]{1,5}$)");
        if (!std::regex_match(value, port) || std::stoi(value) < 1 || std::stoi(value) > 65535)
            return Error{ExitCode::usage, "--env DF_PORT: the service needs a TCP port (1-65535)"};
    }
    if (key == "DF_BIND") {
        static const std::regex bind(R"(^[0-9A-Za-z.:-]{1,253}$)");
        if (!std::regex_match(value, bind))
            return Error{ExitCode::usage, "--env DF_BIND: the service needs an IP address or a host name"};
    }
    return ok();
}

}  // namespace

Status validate_env(const std::vector<std::pair<std::string, std::string>>& env) {
    static const std::regex name(R"(^[A-Za-z_][A-Za-z0-9_]*$)");
    for (std::size_t i = 0; i < env.size(); ++i) {
        const auto& [key, value] = env[i];
        // A shell variable name: Coolify writes the variables into the container's environment, and a key
        // like 1A or A-B is refused by Coolify only after the app exists (a half-configured app).
        if (key.size() > 255 || !std::regex_match(key, name)) {
            std::string shown = key;
            std::replace_if(
                shown.begin(), shown.end(), [](char c) { return c < ' ' || c == 0x7f; }, '?');
            return Error{ExitCode::usage,
                         fmt::format("--env '{}': a variable name is letters, digits and _, not starting "
                                     "with a digit",
                                     shown)};
        }
        for (std::size_t j = 0; j < i; ++j) {
            if (env[j].first == key)
                return Error{ExitCode::usage, fmt::format("--env {} is given twice", key)};
        }
        if (value.find('\0') != std::string::npos)
            return Error{ExitCode::usage, fmt::format("--env {}: the value holds a NUL byte", key)};
        if (auto s = check_service_value(key, value); !s) return s;
    }
    return ok();
}

bool outcome_unknown(const Error& e) {
    // 5xx, a lost or timed-out answer, or a 2xx we could not read: the server may have acted. A refusal
    // (4xx) or an interruption before sending says nothing happened, or there is nobody to ask.
    return e.code == ExitCode::unavailable || e.code == ExitCode::protocol || e.code == ExitCode::timed_out;
}

std::optional<coolify::Application> pick_app(const std::vector<coolify::Application>& apps,
                                             const std::string& app_name, const std::string& prefer_uuid) {
    std::optional<coolify::Application> chosen;
    for (const auto& a : apps) {
        if (a.name != app_name) continue;
        if (!prefer_uuid.empty() && a.uuid == prefer_uuid) return a;
        // With duplicates (made by hand, or by an older deploy), always the oldest: a rerun must never
        // switch to another one.
        if (!chosen || std::tie(a.created_at, a.uuid) < std::tie(chosen->created_at, chosen->uuid))
            chosen = a;
    }
    return chosen;
}

std::optional<coolify::Deployment> adoptable_deployment(const std::vector<coolify::Deployment>& newest_first,
                                                        const std::string& commit,
                                                        const std::set<std::string>& known) {
    // An active deployment builds the branch tip we pushed (auto deploy is off, so it is ours or one
    // that does the same work): follow it.
    for (const auto& d : newest_first) {
        if (d.active()) return d;
    }
    // Already over (a fast build): the newest one of our commit that no earlier attempt recorded.
    for (const auto& d : newest_first) {
        if (d.commit == commit && !known.count(d.deployment_uuid)) return d;
    }
    return std::nullopt;
}

bool rolls_back(const DeployOptions& options, const Skill& skill) {
    return options.auto_rollback || skill.manifest.workflow.policy.auto_rollback;
}

Result<std::string> rollback_target(const SkillRecord& skill, const std::string& name,
                                    const std::string& to_commit) {
    if (to_commit.empty()) {
        if (const DeployRecord* good = skill.last_good(skill.commit)) return good->commit;
        return Error{ExitCode::failed, "no earlier good deploy to roll back to"};
    }
    std::string target;
    for (const auto& r : skill.history) {
        if (r.commit.rfind(to_commit, 0) == 0) target = r.commit;
    }
    if (target.empty() && to_commit.size() == 40) target = to_commit;
    if (target.empty())
        return Error{ExitCode::usage,
                     fmt::format("no deploy of '{}' has a commit starting with {}", name, to_commit)};
    return target;
}

}  // namespace df::deployer
