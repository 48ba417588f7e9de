#include "compiler/service.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "common/json.h"
#include "common/text.h"
#include "compiler/render.h"

namespace df::compiler {
namespace {

using kainjow::mustache::data;
using Writer = rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<>, rapidjson::ASCII<>>;

// The scripts every skill gets as they are: nothing of the workflow is in them.
constexpr std::string_view kHookScripts[] = {"lib.sh",     "run.sh",      "status.sh",
                                             "approve.sh", "health.sh",   "runs.sh",
                                             "metrics.sh", "cron-run.sh", "scheduler.sh"};

// Programs debian:12-slim has without installing anything (Essential and Priority: required packages).
constexpr std::string_view kInBase[] = {
    "awk",      "base64",    "basename",  "bash",   "cat",   "chgrp",   "chmod",    "chown",   "cmp",
    "comm",     "cp",        "cut",       "date",   "dd",    "df",      "diff",     "dirname", "du",
    "echo",     "egrep",     "env",       "expand", "expr",  "false",   "fgrep",    "find",    "flock",
    "fold",     "getopt",    "grep",      "gunzip", "gzip",  "head",    "hostname", "id",      "install",
    "join",     "kill",      "ln",        "logger", "ls",    "md5sum",  "mkdir",    "mktemp",  "more",
    "mv",       "nice",      "nl",        "nohup",  "nproc", "od",      "paste",    "perl",    "printf",
    "readlink", "realpath",  "rev",       "rm",     "rmdir", "sed",     "seq",      "setsid",  "sh",
    "sha1sum",  "sha256sum", "sha512sum", "shuf",   "sleep", "sort",    "split",    "stat",    "sync",
    "tac",      "tail",      "tar",       "tee",    "test",  "timeout", "touch",    "tr",      "true",
    "uname",    "uniq",      "wc",        "which",  "xargs", "zcat",    "whoami",   "yes",
};

// Programs workflows commonly require, and the Debian 12 package that has each.
constexpr std::pair<std::string_view, std::string_view> kPackages[] = {
    {"ab", "apache2-utils"},
    {"ansible", "ansible"},
    {"aws", "awscli"},
    {"bc", "bc"},
    {"bunzip2", "bzip2"},
    {"bzip2", "bzip2"},
    {"cargo", "cargo"},
    {"convert", "imagemagick"},
    {"curl", "curl"},
    {"dig", "bind9-dnsutils"},
    {"docker", "docker.io"},
    {"docker-compose", "docker-compose"},
    {"envsubst", "gettext-base"},
    {"file", "file"},
    {"gcc", "gcc"},
    {"gh", "gh"},
    {"git", "git"},
    {"go", "golang-go"},
    {"gpg", "gpg"},
    {"host", "bind9-host"},
    {"htpasswd", "apache2-utils"},
    {"ip", "iproute2"},
    {"java", "default-jre-headless"},
    {"jq", "jq"},
    {"less", "less"},
    {"make", "make"},
    {"mvn", "maven"},
    {"mysql", "default-mysql-client"},
    {"mysqldump", "default-mysql-client"},
    {"nc", "netcat-openbsd"},
    {"node", "nodejs"},
    {"npm", "npm"},
    {"npx", "npm"},
    {"nslookup", "bind9-dnsutils"},
    {"openssl", "openssl"},
    {"pandoc", "pandoc"},
    {"patch", "patch"},
    {"pg_dump", "postgresql-client"},
    {"pg_isready", "postgresql-client"},
    {"pg_restore", "postgresql-client"},
    {"php", "php-cli"},
    {"ping", "iputils-ping"},
    {"pip", "python3-pip"},
    {"pip3", "python3-pip"},
    {"pkill", "procps"},
    {"ps", "procps"},
    {"psql", "postgresql-client"},
    {"pytest", "python3-pytest"},
    {"python", "python-is-python3"},
    {"python3", "python3"},
    {"rclone", "rclone"},
    {"redis-cli", "redis-tools"},
    {"restic", "restic"},
    {"rsync", "rsync"},
    {"ruby", "ruby"},
    {"scp", "openssh-client"},
    {"shellcheck", "shellcheck"},
    {"sqlite3", "sqlite3"},
    {"ssh", "openssh-client"},
    {"unzip", "unzip"},
    {"wget", "wget"},
    {"xz", "xz-utils"},
    {"zip", "zip"},
    {"zstd", "zstd"},
};

// What every service image installs: the executor's and the service's own needs. tini is PID 1: it reaps
// the detached runs, which webhook (a Go program, as PID 1) would leave as zombies. bash-builtins: loadable
// mkdir, rm, ln, unlink and sleep, which spare the executor a process each (docs/run.md, "Start-up without
// jq").
// openssl signs the evidence ledger and envelopes when DF_EVIDENCE_KEY is set (docs/evidence.md).
constexpr std::string_view kServicePackages[] = {
    "bash",    "bash-builtins", "ca-certificates", "curl",   "git", "jq",
    "openssl", "tini",          "util-linux",      "webhook"};

// A rule that never matches (RE2 has no empty class shorthand): guards a rule whose secret is unset.
constexpr std::string_view kNeverMatches = R"([^\x00-\x{10FFFF}])";

// webhook match rule on a request header. Values are Go template text that `webhook -template` fills in.
void header_match(Writer& w, std::string_view type, std::string_view key, std::string_view value,
                  std::string_view header) {
    w.StartObject();
    w.Key("match");
    w.StartObject();
    w.Key("type");
    w.String(type.data(), static_cast<rapidjson::SizeType>(type.size()));
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
    w.Key("parameter");
    w.StartObject();
    w.Key("source");
    w.String("header");
    w.Key("name");
    w.String(header.data(), static_cast<rapidjson::SizeType>(header.size()));
    w.EndObject();
    w.EndObject();
    w.EndObject();
}

// The header must look right (`shape`) while the secret is set, and then pass `type` against the secret.
// An unset secret fails closed: the guard never matches, so an empty header never equals an empty token
// and webhook never sees an empty HMAC key (which it answers with 500).
std::string secret_rule(std::string_view env, std::string_view header, std::string_view shape,
                        std::string_view type, std::string_view key, std::string_view prefix = {}) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    w.Key("and");
    w.StartArray();
    header_match(
        w, "regex", "regex",
        fmt::format("{{{{ if getenv `{}` }}}}{}{{{{ else }}}}{}{{{{ end }}}}", env, shape, kNeverMatches),
        header);
    header_match(w, type, key, fmt::format("{}{{{{ getenv `{}` | js }}}}", prefix, env), header);
    w.EndArray();
    w.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

std::string token_rule(std::string_view env, std::string_view header) {
    return secret_rule(env, header, "^[!-~]+$", "value", "value");
}

// "/hooks/run" → "run": webhook serves every hook under /hooks/<id>.
std::optional<std::string> hook_id(std::string_view path) {
    constexpr std::string_view prefix = "/hooks/";
    if (path.substr(0, prefix.size()) != prefix) return std::nullopt;
    const std::string id(path.substr(prefix.size()));
    if (!is_valid_slug(id)) return std::nullopt;
    return id;
}

// What hooks.json shows; a hook path webhook cannot serve is an error.
data hooks_data(const ServiceInfo& service, Diagnostics& diags) {
    data d;
    const std::pair<const char*, const std::string*> hooks[] = {
        {"run_id", &service.run_hook},         {"status_id", &service.status_hook},
        {"approve_id", &service.approve_hook}, {"health_id", &service.health_hook},
        {"runs_id", &service.runs_hook},       {"metrics_id", &service.metrics_hook}};
    for (const auto& [key, path] : hooks) {
        const auto id = hook_id(*path);
        if (!id) diags.error({}, fmt::format("service hook path '{}' is not /hooks/<name>", *path));
        d.set(key, json::quote_ascii(id.value_or("invalid")));
    }
    d.set("trigger_token_rule", token_rule("DF_TRIGGER_TOKEN", "X-DF-Token"));
    d.set("approve_token_rule", token_rule("DF_APPROVE_TOKEN", "X-DF-Approve-Token"));
    // Prometheus can send `Authorization: Bearer TOKEN` (scrape config `authorization`), not X-DF-Token.
    d.set("bearer_rule",
          secret_rule("DF_TRIGGER_TOKEN", "Authorization", "^Bearer [!-~]+$", "value", "value", "Bearer "));
    d.set("hmac_rule", secret_rule("DF_TRIGGER_HMAC_SECRET", "X-DF-Signature-256", "^sha256=[0-9a-fA-F]{64}$",
                                   "payload-hmac-sha256", "secret"));
    return d;
}

// What the Dockerfile shows; a required program without a known package is a warning.
data dockerfile_data(const Manifest& m, Diagnostics& diags) {
    std::set<std::string> packages(std::begin(kServicePackages), std::end(kServicePackages));
    data unknown = data::type::list;
    for (const auto& bin : m.workflow.requirements.bins) {
        if (const auto package = debian_package(bin)) {
            if (!package->empty()) packages.emplace(*package);
            continue;
        }
        // compile accepts only such names; a hand-made manifest gets no comment either.
        const bool plain =
            !bin.empty() && bin.size() <= 128 && std::all_of(bin.begin(), bin.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) ||
                       std::string_view("._+-").find(c) != std::string_view::npos;
            });
        unknown.push_back(plain ? bin : std::string("a program with an unusual name"));
        diags.warning(
            {}, fmt::format("Requires '{}': no known Debian package provides it, so the Dockerfile does not "
                            "install it; build the service image FROM this one to add it",
                            plain ? bin : "?"));
    }
    std::string list;
    for (const auto& p : packages) list += (list.empty() ? "" : " ") + p;
    data d;
    d.set("name", is_valid_slug(m.workflow.name) ? m.workflow.name : std::string("skill"));
    const bool plain_version = std::all_of(m.version.begin(), m.version.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c));
    });
    d.set("version", plain_version ? m.version : std::string("unknown"));
    d.set("packages", list);
    d.set("unknown_bins", unknown);
    d.set("port", std::to_string(m.service.port));
    d.set("health_hook",
          hook_id(m.service.health_hook) ? m.service.health_hook : std::string("/hooks/health"));
    return d;
}

std::string dockerfile(const data& d) {
    // Mustache leaves an empty line where the comment section was; a Dockerfile reads better without.
    std::string text = render_template("service/Dockerfile.mustache", d);
    for (auto at = text.find("\n\n"); at != std::string::npos; at = text.find("\n\n")) text.erase(at, 1);
    return text;
}

// Cron triggers: the crontab, and per trigger the inputs it names as a JSON object (cron/<n>.json), so
// no input value is ever written into the crontab.
void cron_files(const Workflow& wf, Diagnostics& diags, Generate what, std::vector<GeneratedFile>& files) {
    data schedules = data::type::list;
    int number = 0;
    for (const auto& t : wf.triggers) {
        if (t.kind != Trigger::Kind::cron) continue;
        ++number;
        const bool numeric = std::count(t.schedule.begin(), t.schedule.end(), ' ') == 4 &&
                             std::all_of(t.schedule.begin(), t.schedule.end(), [](char c) {
                                 return std::isdigit(static_cast<unsigned char>(c)) ||
                                        std::string_view("*,-/ ").find(c) != std::string_view::npos;
                             });
        if (!numeric) {
            diags.error(t.pos, fmt::format("cron schedule '{}' is not five numeric fields", t.schedule));
            continue;
        }
        if (what == Generate::diagnostics) continue;
        data line;
        line.set("schedule", t.schedule);
        line.set("number", std::to_string(number));
        schedules.push_back(line);
        rapidjson::StringBuffer buffer;
        rapidjson::PrettyWriter<rapidjson::StringBuffer, rapidjson::UTF8<>, rapidjson::ASCII<>> w(buffer);
        w.SetIndent(' ', 2);
        w.StartObject();
        for (const auto& [name, value] : t.inputs) {
            w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
            w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
        }
        w.EndObject();
        files.push_back({fmt::format("cron/{}.json", number),
                         std::string(buffer.GetString(), buffer.GetSize()) + "\n", 0644});
    }
    if (number > 0 && what == Generate::files) {
        data d;
        d.set("schedules", schedules);
        files.push_back({"crontab", render_template("service/crontab.mustache", d), 0644});
    }
}

}  // namespace

std::optional<std::string_view> debian_package(std::string_view bin) {
    if (std::find(std::begin(kInBase), std::end(kInBase), bin) != std::end(kInBase))
        return std::string_view();
    for (const auto& [name, package] : kPackages) {
        if (name == bin) return package;
    }
    return std::nullopt;
}

std::vector<GeneratedFile> generate_service(const Manifest& m, Diagnostics& diags, Generate what) {
    // The diagnostics come from building what the templates show (in this order); rendering adds none.
    const data hooks = hooks_data(m.service, diags);
    std::vector<GeneratedFile> cron;
    cron_files(m.workflow, diags, what, cron);
    const data docker = dockerfile_data(m, diags);
    if (what == Generate::diagnostics) return {};

    std::vector<GeneratedFile> files;
    files.push_back({"hooks.json", render_template("service/hooks.json.mustache", hooks), 0644});
    for (const auto script : kHookScripts) {
        const std::string path = fmt::format("hooks/{}", script);
        files.push_back(
            {path, std::string(embedded_file("service/" + path)), script == "lib.sh" ? 0644u : 0755u});
    }
    for (auto& f : cron) files.push_back(std::move(f));
    files.push_back({"Dockerfile", dockerfile(docker), 0644});
    files.push_back({".dockerignore", std::string(embedded_file("service/dockerignore")), 0644});
    files.push_back({"entrypoint", std::string(embedded_file("service/entrypoint")), 0755});
    return files;
}

}  // namespace df::compiler
