#include "common/coolify/config.h"

#include <cerrno>
#include <sys/stat.h>

#include <fmt/format.h>

#include "common/coolify/http.h"
#include "common/files.h"
#include "common/json.h"
#include "common/registry.h"
#include "common/text.h"

namespace df {
namespace {

struct Descriptor {
    const char* name;
    Setting Config::*member;
    const char* flag;  // as the user types it
    const char* env;   // nullptr: no variable
    const char* fallback;
};

const Descriptor kSettings[] = {
    {"coolify_url", &Config::coolify_url, "--coolify-url", "COOLIFY_URL", ""},
    {"token", &Config::token, "--token-file", "COOLIFY_TOKEN", ""},
    {"context", &Config::context, "--context", "COOLIFY_CONTEXT", ""},
    {"git_remote", &Config::git_remote, "--git-remote", "DF_GIT_REMOTE", ""},
    {"git_url", &Config::git_url, "--git-url", "DF_GIT_URL", ""},
    {"git_source", &Config::git_source, "--git-source", "DF_GIT_SOURCE", "public"},
    {"private_key_uuid", &Config::private_key_uuid, "--private-key-uuid", "DF_PRIVATE_KEY_UUID", ""},
    {"github_app_uuid", &Config::github_app_uuid, "--github-app-uuid", "DF_GITHUB_APP_UUID", ""},
    {"server_uuid", &Config::server_uuid, "--server-uuid", "DF_SERVER_UUID", ""},
    {"project_uuid", &Config::project_uuid, "--project-uuid", "DF_PROJECT_UUID", ""},
    {"environment", &Config::environment, "--environment", "DF_ENVIRONMENT", "production"},
    {"destination_uuid", &Config::destination_uuid, "--destination-uuid", "DF_DESTINATION_UUID", ""},
    {"domain", &Config::domain, "--domain", "DF_DOMAIN", ""},
    {"registry", &Config::registry, "--registry", "DF_REGISTRY", ""},
    {"branch_prefix", &Config::branch_prefix, "--branch-prefix", "DF_BRANCH_PREFIX", "df/"},
    {"ca_file", &Config::ca_file, "--ca-file", "DF_CA_FILE", ""},
    {"secrets_dir", &Config::secrets_dir, "--secrets-dir", "DF_SECRETS_DIR", ""},
};

const Descriptor* descriptor(std::string_view name) {
    for (const auto& d : kSettings) {
        if (name == d.name) return &d;
    }
    return nullptr;
}

std::string config_home(const EnvLookup& env) {
    if (auto x = env("XDG_CONFIG_HOME"); x && (*x)[0] == '/') return *x;
    if (auto home = env("HOME")) return *home + "/.config";
    return {};
}

bool file_exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

// A list setting of the config file (notify, notify_cmd): a string or a list of non-empty strings.
Status apply_list_setting(std::vector<std::string>& out, const rapidjson::Value& v, const std::string& path,
                          const std::string& key) {
    const auto bad = [&] {
        return Error{
            ExitCode::config,
            fmt::format("the config file '{}': '{}' must be a string or a list of strings", path, key)};
    };
    if (v.IsString()) {
        if (v.GetStringLength() > 0) out.emplace_back(v.GetString(), v.GetStringLength());
    } else if (v.IsArray()) {
        for (const auto& item : v.GetArray()) {
            if (!item.IsString() || item.GetStringLength() == 0) return bad();
            out.emplace_back(item.GetString(), item.GetStringLength());
        }
    } else {
        return bad();
    }
    if (key != "notify") return ok();
    for (const auto& url : out) {
        if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
            return Error{ExitCode::config,
                         fmt::format("the config file '{}': notify takes http:// or https:// URLs", path)};
    }
    return ok();
}

// Our config file: a JSON object of setting names to strings (notify and notify_cmd: also lists).
Status apply_config_file(Config& c, const std::string& path, bool must_exist) {
    if (!file_exists(path)) {
        if (must_exist)
            return Error{ExitCode::config, fmt::format("the config file '{}' does not exist", path)};
        return ok();
    }
    auto text = read_file(path, 1u << 20);
    if (!text)
        return Error{ExitCode::config, fmt::format("cannot read the config file: {}", text.error().message)};
    auto doc = json::parse(*text, fmt::format("the config file '{}'", path), ExitCode::config);
    if (!doc) return doc.error();
    if (!doc->IsObject())
        return Error{ExitCode::config, fmt::format("the config file '{}' must hold a JSON object", path)};
    for (const auto& m : doc->GetObject()) {
        const std::string key(m.name.GetString(), m.name.GetStringLength());
        if (key == "notify" || key == "notify_cmd") {
            if (auto s = apply_list_setting(key == "notify" ? c.notify : c.notify_cmd, m.value, path, key);
                !s)
                return s;
            continue;
        }
        const Descriptor* d = descriptor(key);
        if (!d || key == "registry_path") {
            return Error{ExitCode::config,
                         fmt::format("the config file '{}' has an unknown setting '{}' (see "
                                     "docs/config.md)",
                                     path, key)};
        }
        if (!m.value.IsString()) {
            return Error{ExitCode::config,
                         fmt::format("the config file '{}': '{}' must be a string", path, key)};
        }
        Setting& s = c.*(d->member);
        if (!s.set() && m.value.GetStringLength() > 0) s = {m.value.GetString(), path};
    }
    return ok();
}

// The official Coolify CLI's instances: {"instances":[{"name","fqdn","token","default"}]}.
Status apply_coolify_cli(Config& c, const EnvLookup& env) {
    if (c.coolify_url.set() && c.token.set()) return ok();
    const std::string home = config_home(env);
    if (home.empty()) return ok();
    const std::string path = home + "/coolify/config.json";
    if (!file_exists(path)) return ok();
    auto text = read_file(path, 1u << 20);
    if (!text)
        return Error{ExitCode::config,
                     fmt::format("cannot read the Coolify CLI config: {}", text.error().message)};
    auto doc = json::parse(*text, fmt::format("the Coolify CLI config '{}'", path), ExitCode::config);
    if (!doc) return doc.error();
    const auto* instances = json::member(*doc, "instances");
    if (!instances || !instances->IsArray()) {
        return Error{ExitCode::config,
                     fmt::format("the Coolify CLI config '{}' has no 'instances' list", path)};
    }
    const rapidjson::Value* chosen = nullptr;
    for (const auto& i : instances->GetArray()) {
        if (c.context.set() ? json::str(i, "name") == c.context.value
                            : json::opt_bool(i, "default").value_or(false)) {
            chosen = &i;
            break;
        }
    }
    if (!chosen) {
        if (c.context.set()) {
            return Error{
                ExitCode::config,
                fmt::format("the Coolify CLI config '{}' has no context named '{}'", path, c.context.value)};
        }
        return ok();
    }
    const std::string origin = fmt::format("coolify-cli context {}", json::str(*chosen, "name"));
    if (!c.coolify_url.set()) c.coolify_url = {json::str(*chosen, "fqdn"), origin};
    if (!c.token.set()) c.token = {json::str(*chosen, "token"), origin};
    return ok();
}

// The place a URL or token came from, for the pairing rule: flags and the environment are one place (the
// token is never a flag value, so `--coolify-url` goes with COOLIFY_TOKEN), our file another, and each
// Coolify CLI context its own.
std::string pair_source(const Setting& s) {
    if (s.origin.rfind("--", 0) == 0 || s.origin.rfind("env ", 0) == 0) return "flags and environment";
    return s.origin;
}

Status validate_coolify(const Config& c) {
    const std::string& url = c.coolify_url.value;
    // Never echo a password: every message shows the URL without its userinfo.
    const std::string shown = http::without_userinfo(url);
    if (!url.empty() && url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
        return Error{ExitCode::config,
                     fmt::format("the Coolify URL '{}' ({}) must start with http:// or https://", shown,
                                 c.coolify_url.origin)};
    }
    if (http::has_userinfo(url)) {
        return Error{ExitCode::config,
                     fmt::format("the Coolify URL ({}) holds a user name or password; remove it (the API "
                                 "is authenticated by the token alone): {}",
                                 c.coolify_url.origin, shown)};
    }
    if (c.coolify_url.set() && c.token.set() && pair_source(c.coolify_url) != pair_source(c.token)) {
        return Error{
            ExitCode::config,
            fmt::format("the Coolify URL comes from {} but the token from {}; take both from one "
                        "place: COOLIFY_URL (or --coolify-url) with COOLIFY_TOKEN (or --token-file), "
                        "our config file, or one Coolify CLI context (docs/config.md)",
                        c.coolify_url.origin, c.token.origin)};
    }
    if (c.token.set() && url.rfind("http://", 0) == 0 && !http::is_loopback(url) && !c.insecure_http) {
        return Error{ExitCode::config,
                     fmt::format("refusing to send the Coolify token unencrypted to {} ({}); use https://, "
                                 "or --insecure-http on a network you trust",
                                 http::origin_of(url), c.coolify_url.origin)};
    }
    return ok();
}

Status validate(const Config& c) {
    if (auto s = validate_coolify(c); !s) return s;
    const std::string& src = c.git_source.value;
    if (src != "public" && src != "deploy-key" && src != "github-app") {
        return Error{ExitCode::config,
                     fmt::format("git_source '{}' ({}) must be public, deploy-key or github-app", src,
                                 c.git_source.origin)};
    }
    if (src == "deploy-key" && !c.private_key_uuid.set()) {
        return Error{ExitCode::config,
                     "git_source deploy-key needs DF_PRIVATE_KEY_UUID (--private-key-uuid)"};
    }
    if (src == "github-app" && !c.github_app_uuid.set()) {
        return Error{ExitCode::config, "git_source github-app needs DF_GITHUB_APP_UUID (--github-app-uuid)"};
    }
    if (c.token.value.find_first_of("\r\n") != std::string::npos) {
        return Error{ExitCode::config,
                     fmt::format("the Coolify token ({}) contains a line break", c.token.origin)};
    }
    for (const Setting* s : {&c.domain, &c.branch_prefix, &c.environment}) {
        if (s->value.find_first_of(" \t\r\n\"'`$;&|<>()\\") != std::string::npos) {
            return Error{ExitCode::config, fmt::format("'{}' ({}) contains characters that are not allowed",
                                                       s->value, s->origin)};
        }
    }
    return ok();
}

}  // namespace

const std::vector<std::string>& config_setting_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const auto& d : kSettings) out.emplace_back(d.name);
        return out;
    }();
    return names;
}

const Setting* find_setting(const Config& config, std::string_view name) {
    if (name == "config_file") return &config.config_file;
    const Descriptor* d = descriptor(name);
    return d ? &(config.*(d->member)) : nullptr;
}

std::string masked(std::string_view secret) {
    return secret.empty() ? "" : "***";
}

Result<Config> resolve_config(const ConfigFlags& flags, const EnvLookup& env) {
    Config c;
    c.insecure_http = flags.insecure_http;
    for (const auto& [name, value] : flags.values) {
        if (name == "config") continue;
        const Descriptor* d = descriptor(name);
        if (!d) return Error{ExitCode::usage, fmt::format("unknown setting '{}'", name)};
        if (!value.empty()) c.*(d->member) = {value, d->flag};
    }
    for (const auto& d : kSettings) {
        Setting& s = c.*(d.member);
        if (!s.set() && d.env) {
            if (auto v = env(d.env)) s = {*v, fmt::format("env {}", d.env)};
        }
    }
    // Our config file.
    bool explicit_file = false;
    if (auto f = flags.values.find("config"); f != flags.values.end() && !f->second.empty()) {
        c.config_file = {f->second, "--config"}, explicit_file = true;
    } else if (auto v = env("DF_CONFIG")) {
        c.config_file = {*v, "env DF_CONFIG"}, explicit_file = true;
    } else if (auto home = config_home(env); !home.empty()) {
        c.config_file = {home + "/dark-factory/config.json", "default"};
    }
    if (c.config_file.set()) {
        if (auto s = apply_config_file(c, c.config_file.value, explicit_file); !s) return s.error();
    }
    if (auto s = apply_coolify_cli(c, env); !s) return s.error();
    for (const auto& d : kSettings) {
        Setting& s = c.*(d.member);
        if (!s.set() && *d.fallback) s = {d.fallback, "default"};
    }
    if (!c.git_url.set() && c.git_remote.set()) c.git_url = {c.git_remote.value, "same as git_remote"};
    if (!c.registry.set()) {
        auto path = resolve_registry_path(std::nullopt, env);
        if (path) c.registry = {*path, "default"};
    }
    if (!c.secrets_dir.set()) {
        if (auto home = config_home(env); !home.empty())
            c.secrets_dir = {home + "/dark-factory/secrets", "default"};
    }
    while (c.coolify_url.value.size() > 1 && c.coolify_url.value.back() == '/')
        c.coolify_url.value.pop_back();
    if (auto s = validate(c); !s) return s.error();
    return c;
}

Status require_settings(const Config& config, const std::vector<std::string>& names) {
    std::vector<std::string> missing;
    for (const auto& name : names) {
        const Setting* s = find_setting(config, name);
        if (s && s->set()) continue;
        const Descriptor* d = descriptor(name);
        missing.push_back(d ? fmt::format("{} ({} or {})", name, d->env, d->flag) : name);
    }
    if (missing.empty()) return ok();
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    return Error{
        ExitCode::config,
        fmt::format("missing configuration: {}; set them in the environment or in {} (docs/config.md)", list,
                    config.config_file.set() ? config.config_file.value : "the config file")};
}

std::string describe_config(const Config& config, bool as_json) {
    std::vector<std::string> names = config_setting_names();
    names.emplace_back("config_file");
    std::string out = as_json ? "{" : "";
    bool first = true;
    for (const auto& name : names) {
        const Setting* s = find_setting(config, name);
        const std::string value = name == "token" ? masked(s->value) : http::without_userinfo(s->value);
        const std::string origin = s->set() ? s->origin : "not set";
        if (as_json) {
            out += fmt::format("{}{}:{{\"value\":{},\"origin\":{}}}", first ? "" : ",", json::quote(name),
                               json::quote(value), json::quote(origin));
        } else {
            out += fmt::format("{:<17} = {}  ({})\n", name, value, origin);
        }
        first = false;
    }
    return as_json ? out + "}\n" : out;
}

}  // namespace df
