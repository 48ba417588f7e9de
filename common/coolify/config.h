// Settings for deploy and monitor, resolved in this order (first wins):
//   1. command-line flags,
//   2. environment variables (COOLIFY_URL, COOLIFY_TOKEN, DF_*),
//   3. our config file, ${XDG_CONFIG_HOME:-~/.config}/dark-factory/config.json (or --config / DF_CONFIG),
//   4. for the URL and token only: the official Coolify CLI's config.json, the instance named by
//      --context / COOLIFY_CONTEXT or else its default instance.
// docs/config.md lists every setting. Resolution does no network I/O; a malformed file or value is a
// config error (78) that names the file or variable.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "common/error.h"

namespace df {

// A resolved value and where it came from ("--git-remote", "env DF_GIT_REMOTE", "/path/config.json",
// "coolify-cli context prod", "default"). Empty value = not set.
struct Setting {
    std::string value;
    std::string origin;
    bool set() const { return !value.empty(); }
};

struct Config {
    Setting coolify_url;  // the instance, without /api/v1
    Setting token;        // never printed; see masked()
    Setting context;      // Coolify CLI instance name
    Setting git_remote;   // where skills are pushed (any git remote: URL or path)
    Setting git_url;      // what Coolify clones; default: git_remote
    Setting git_source;   // public | deploy-key | github-app
    Setting private_key_uuid, github_app_uuid;
    Setting server_uuid, project_uuid, environment, destination_uuid;
    Setting domain;         // apps get https://df-<name>.<domain>
    Setting registry;       // registry file path
    Setting branch_prefix;  // "df/" → branch df/<name>
    Setting ca_file;        // PEM bundle for TLS to Coolify
    Setting secrets_dir;    // 0600 files holding each skill's generated service secrets
    Setting config_file;    // the file of ours that was read (or would be)
    bool insecure_http = false;
    // `monitor --check`'s notification targets, from the config file only (a string or a list of strings
    // each): what repeated --notify URL and --notify-cmd CMD give; flags, when any, replace both.
    std::vector<std::string> notify;      // http:// or https:// URLs
    std::vector<std::string> notify_cmd;  // shell commands
};

// What the command line supplied: setting name (as in docs/config.md, e.g. "git_remote") → value.
struct ConfigFlags {
    std::map<std::string, std::string> values;
    bool insecure_http = false;  // --insecure-http: allow the token over http:// to a non-loopback host
};

// The setting names, in display order.
const std::vector<std::string>& config_setting_names();

// Resolves everything. Reads files, never the network. The Coolify URL and token come from one place
// (flags and environment, our file, or one Coolify CLI context): a mix is a config error, as is a URL
// with a user name or password in it, and a token for a non-loopback http:// URL without --insecure-http.
Result<Config> resolve_config(const ConfigFlags& flags, const EnvLookup& env);

// Config error (78) naming every missing setting with the flag and variable that set it.
Status require_settings(const Config& config, const std::vector<std::string>& names);

// The value of a setting by name (for require_settings and printing); nullptr for an unknown name.
const Setting* find_setting(const Config& config, std::string_view name);

// "name = value  (origin)" lines, or a JSON object of {value, origin} when `as_json`; the token is masked.
std::string describe_config(const Config& config, bool as_json);

// A secret for display: "***" when set, "" when not.
std::string masked(std::string_view secret);

}  // namespace df
