#include "compiler/input_names.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace df::compiler {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

bool is_lower_name(std::string_view name) {
    if (name.empty() || name.size() > 64 || name[0] < 'a' || name[0] > 'z') return false;
    for (const char c : name) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    }
    return true;
}

}  // namespace

bool is_run_option(std::string_view name) {
    static constexpr std::array options = {"help", "json", "dry_run", "detach", "no_wait", "list", "graph",
                                           "step", "workdir", "inputs_json", "status", "approve", "deny",
                                           "by", "version",
                                           // The evidence commands (lib/evidence/commands.sh).
                                           "evidence", "verify_evidence", "verify_ledger", "key", "record"};
    return std::find(options.begin(), options.end(), name) != options.end();
}

std::string upper_case(std::string_view name) {
    std::string out(name);
    for (char& c : out) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
}

std::string service_env_name(std::string_view name) {
    return "DF_INPUT_" + upper_case(name);
}

// Long because they are tables: the names (and prefixes) the shell, the C library and our own runtime read
// from the environment, one a line so a reviewer can check each; the logic is in the functions after them.
namespace {

// Names in these families are refused as input names in any case: `ld_preload` was meant to be one.
constexpr std::array<std::string_view, 3> kLoaderFamilies = {"LD_", "BASH_", "DYLD_"};

constexpr std::array kExact = {"PATH",
                               "HOME",
                               "IFS",
                               "ENV",
                               "SHELL",
                               "SHELLOPTS",
                               "BASHOPTS",
                               "PS1",
                               "PS2",
                               "PS3",
                               "PS4",
                               "PWD",
                               "OLDPWD",
                               "USER",
                               "LOGNAME",
                               "HOSTNAME",
                               "TERM",
                               "TMPDIR",
                               "LANG",
                               "LANGUAGE",
                               "TZ",
                               "UID",
                               "EUID",
                               "GID",
                               "PPID",
                               "RANDOM",
                               "SECONDS",
                               "LINENO",
                               "CDPATH",
                               "GLOBIGNORE",
                               "PROMPT_COMMAND",
                               "HISTFILE",
                               "HISTSIZE",
                               "HISTFILESIZE",
                               "HISTCONTROL",
                               "MAIL",
                               "MAILPATH",
                               "MAILCHECK",
                               "OPTIND",
                               "OPTARG",
                               "OPTERR",
                               "FUNCNAME",
                               "BASHPID",
                               "HOSTTYPE",
                               "OSTYPE",
                               "MACHTYPE",
                               "COLUMNS",
                               "LINES",
                               "EDITOR",
                               "VISUAL",
                               "PAGER",
                               "SHLVL",
                               "TMOUT",
                               "INPUTRC",
                               "POSIXLY_CORRECT",
                               "TIMEFORMAT",
                               "REPLY",
                               "PIPESTATUS",
                               "GROUPS",
                               "EPOCHSECONDS",
                               "EPOCHREALTIME",
                               "SRANDOM",
                               "NODE_OPTIONS",
                               "NODE_PATH",
                               "PYTHONPATH",
                               "PYTHONHOME",
                               "PYTHONSTARTUP",
                               "PERL5LIB",
                               "PERL5OPT",
                               "PERLLIB",
                               "RUBYOPT",
                               "RUBYLIB",
                               "JAVA_TOOL_OPTIONS",
                               "CLASSPATH",
                               "HTTP_PROXY",
                               "HTTPS_PROXY",
                               "NO_PROXY",
                               "ALL_PROXY",
                               "FTP_PROXY",
                               "CURL_CA_BUNDLE",
                               "SSL_CERT_FILE",
                               "SSL_CERT_DIR",
                               "GCONV_PATH",
                               "LOCPATH",
                               "NLSPATH",
                               "HOSTALIASES",
                               "LOCALDOMAIN",
                               "RES_OPTIONS",
                               "RESOLV_HOST_CONF",
                               "SSH_AUTH_SOCK",
                               "SSH_ASKPASS",
                               "SSH_AGENT_PID",
                               "SSH_CONNECTION",
                               "SSH_CLIENT",
                               "SSH_TTY",
                               "SSH_ORIGINAL_COMMAND"};
// Whole families: the loader's, the shell's, the locale's, the engine's own and its service's.
constexpr std::array kPrefixes = {"LD_",   "BASH_",     "DYLD_",    "MALLOC_",  "LC_",   "DF_",
                                  "HOOK_", "OPENCLAW_", "COOLIFY_", "WEBHOOK_", "INPUT_"};
// The variables git reads (GIT_REPO or GIT_BRANCH are no such thing, so `git_repo` keeps its alias).
constexpr std::array kGit = {
    "GIT_DIR",       "GIT_WORK_TREE",  "GIT_INDEX",     "GIT_OBJECT",    "GIT_ALTERNATE",  "GIT_CEILING",
    "GIT_DISCOVERY", "GIT_COMMON_DIR", "GIT_NAMESPACE", "GIT_EXEC_PATH", "GIT_TEMPLATE",   "GIT_EDITOR",
    "GIT_PAGER",     "GIT_SEQUENCE",   "GIT_SSH",       "GIT_ASKPASS",   "GIT_TERMINAL",   "GIT_CONFIG",
    "GIT_PROXY",     "GIT_SSL",        "GIT_HTTP",      "GIT_CURL",      "GIT_TRACE",      "GIT_AUTHOR",
    "GIT_COMMITTER", "GIT_ALLOW",      "GIT_PROTOCOL",  "GIT_REPLACE",   "GIT_NO_REPLACE", "GIT_QUARANTINE",
    "GIT_OPTIONAL",  "GIT_REDIRECT",   "GIT_FLUSH",     "GIT_EXTERNAL",  "GIT_DIFF",       "GIT_MERGE",
    "GIT_LITERAL",   "GIT_GLOB",       "GIT_NOGLOB",    "GIT_ICASE",     "GIT_DEFAULT",    "GIT_SHALLOW",
    "GIT_REFLOG",    "GIT_PREFIX"};
}  // namespace

bool env_name_steps_rely_on(std::string_view upper) {
    for (const std::string_view e : kExact) {
        if (upper == e) return true;
    }
    for (const std::string_view p : kPrefixes) {
        if (starts_with(upper, p)) return true;
    }
    for (const std::string_view g : kGit) {
        if (starts_with(upper, g)) return true;
    }
    return false;
}

std::string loader_families_regex() {
    std::string out;
    for (const std::string_view p : kLoaderFamilies) out += (out.empty() ? "" : "|") + std::string(p);
    return "^(" + out + ")";
}

std::string env_rely_regex() {
    std::string exact;
    for (const std::string_view e : kExact) exact += (exact.empty() ? "" : "|") + std::string(e);
    std::string prefixes;
    for (const std::string_view p : kPrefixes) prefixes += (prefixes.empty() ? "" : "|") + std::string(p);
    for (const std::string_view g : kGit) prefixes += "|" + std::string(g);
    return "^(" + exact + ")$|^(" + prefixes + ")";
}

std::optional<std::string> input_name_problem(std::string_view name) {
    const std::string upper = upper_case(name);
    // Loader and shell-startup families read as a mistake in any case: `ld_preload` was meant to be one.
    const bool loader = std::any_of(kLoaderFamilies.begin(), kLoaderFamilies.end(),
                                    [&](std::string_view p) { return starts_with(upper, p); });
    if (loader || (name == upper && env_name_steps_rely_on(upper))) {
        return fmt::format(
            "input name '{}' clashes with an environment variable that commands rely on (inputs "
            "become environment variables); rename it",
            name);
    }
    if (!is_lower_name(name)) {
        return fmt::format(
            "input name '{}' is not lower case: input names are letters a-z, digits and '_', starting "
            "with a letter, at most 64 characters (steps also see each input in upper case); write "
            "'{}'",
            name, [&] {
                std::string lower(name);
                for (char& c : lower) {
                    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
                }
                return lower;
            }());
    }
    return std::nullopt;
}

}  // namespace df::compiler
