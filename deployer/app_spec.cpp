// What the Coolify application of a skill should look like, and its environment.
#include <filesystem>
#include <sys/random.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include "common/files.h"
#include "common/text.h"
#include "deployer/internal.h"

namespace df::deployer {
namespace {

// Docker's memory notation: 512m, 2g, or bytes.
std::string memory_text(std::uint64_t bytes) {
    constexpr std::uint64_t mib = 1024 * 1024, gib = 1024 * mib;
    if (bytes % gib == 0) return fmt::format("{}g", bytes / gib);
    if (bytes % mib == 0) return fmt::format("{}m", bytes / mib);
    return fmt::format("{}", bytes);
}

std::string hex_secret() {
    unsigned char bytes[32];
    std::size_t got = 0;
    while (got < sizeof bytes) {
        const ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
        if (n > 0) got += static_cast<std::size_t>(n);
    }
    std::string out;
    for (unsigned char b : bytes) out += fmt::format("{:02x}", b);
    return out;
}

const char* const kGenerated[] = {"DF_TRIGGER_TOKEN", "DF_APPROVE_TOKEN"};

}  // namespace

json::Object app_fields(const Skill& skill, const Config& c, const coolify::Version& version,
                        bool for_create) {
    const auto& m = skill.manifest;
    json::Object o;
    o.set("name", "df-" + skill.name);
    o.set("description", truncate_utf8(collapse_whitespace(m.workflow.title), 250));
    if (for_create) {
        o.set("project_uuid", c.project_uuid.value).set("server_uuid", c.server_uuid.value);
        o.set("environment_name", c.environment.value);
        if (c.destination_uuid.set()) o.set("destination_uuid", c.destination_uuid.value);
        if (c.git_source.value == "deploy-key") o.set("private_key_uuid", c.private_key_uuid.value);
        if (c.git_source.value == "github-app") o.set("github_app_uuid", c.github_app_uuid.value);
    }
    o.set("git_repository", c.git_url.value).set("git_branch", c.branch_prefix.value + skill.name);
    o.set("git_commit_sha", "HEAD");
    o.set("build_pack", "dockerfile").set("base_directory", "/").set("dockerfile_location", "/Dockerfile");
    o.set("ports_exposes", std::to_string(m.service.port));
    if (c.domain.set()) o.set("domains", fmt::format("https://df-{}.{}", skill.name, c.domain.value));
    o.set("health_check_enabled", true).set("health_check_path", m.service.health_hook);
    if (m.workflow.policy.memory_limit_bytes)
        o.set("limits_memory", memory_text(*m.workflow.policy.memory_limit_bytes));
    o.set("is_auto_deploy_enabled", false);  // a push must not start a second build racing ours
    if (for_create) {
        o.set("instant_deploy", false);  // we start the deployment ourselves, to learn its uuid
        if (version.accepts_tags()) o.set("tags", std::vector<std::string>{"dark-factory"});
    }
    return o;
}

json::Object changed_fields(const json::Object& desired, const coolify::Application& a) {
    const std::pair<const char*, std::string> current[] = {{"name", a.name},
                                                           {"description", a.description},
                                                           {"git_repository", a.git_repository},
                                                           {"git_branch", a.git_branch},
                                                           {"git_commit_sha", a.git_commit_sha},
                                                           {"build_pack", a.build_pack},
                                                           {"base_directory", a.base_directory},
                                                           {"dockerfile_location", a.dockerfile_location},
                                                           {"ports_exposes", a.ports_exposes},
                                                           {"domains", a.fqdn},
                                                           {"health_check_path", a.health_check_path},
                                                           {"limits_memory", a.limits_memory}};
    json::Object patch;
    for (const auto& [key, value] : desired.fields) {
        if (key == "health_check_enabled") {
            if (a.health_check_enabled != std::optional<bool>(std::get<bool>(value))) patch.set(key, value);
            continue;
        }
        if (key == "is_auto_deploy_enabled") {
            if (a.is_auto_deploy_enabled && *a.is_auto_deploy_enabled != std::get<bool>(value))
                patch.set(key, value);
            continue;
        }
        for (const auto& [k, have] : current) {
            const auto* want = std::get_if<std::string>(&value);
            if (key != k || !want) continue;
            // Coolify stores public GitHub URLs as owner/repo; that is the same repository.
            const bool same_repo = key == std::string("git_repository") && !have.empty() &&
                                   (want->ends_with("/" + have) || want->ends_with("/" + have + ".git"));
            if (*want != have && !same_repo) patch.set(key, value);
        }
    }
    return patch;
}

Result<std::vector<coolify::EnvVar>> skill_env(const Session& s, const Skill& skill, bool dry_run) {
    std::vector<coolify::EnvVar> vars;
    auto given = [&](const std::string& key) {
        for (const auto& [k, v] : s.options.env) {
            if (k == key) return true;
        }
        return false;
    };
    // Generated secrets live in <secrets_dir>/<name>.env (0600) so a redeploy keeps them.
    const std::string dir = s.config.secrets_dir.value;
    const std::string path = dir + "/" + skill.name + ".env";
    KeyValues stored;
    if (auto text = read_file(path, 1 << 16)) {
        for (auto line : split(*text, '\n')) {
            const auto eq = line.find('=');
            if (eq != std::string_view::npos)
                stored.emplace_back(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
        }
    }
    bool generated = false;
    for (const char* key : kGenerated) {
        if (given(key)) continue;
        std::string value;
        for (const auto& [k, v] : stored) {
            if (k == key) value = v;
        }
        if (value.empty()) {
            value = dry_run ? "(generated)" : hex_secret();
            stored.emplace_back(key, value);
            generated = true;
        }
        vars.push_back({{}, key, value, true, true, false});
    }
    for (const auto& [k, v] : s.options.env) vars.push_back({{}, k, v, true, true, false});
    if (generated && !dry_run) {
        if (dir.empty())
            return Error{ExitCode::config, "no place for the service secrets: set DF_SECRETS_DIR or HOME"};
        std::string text;
        for (const auto& [k, v] : stored) text += k + "=" + v + "\n";
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        ::chmod(dir.c_str(), 0700);
        if (auto w = write_file_atomic(path, text, 0600); !w) {
            return Error{w.error().code,
                         fmt::format("cannot store the service secrets: {}", w.error().message)};
        }
    }
    return vars;
}

}  // namespace df::deployer
