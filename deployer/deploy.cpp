// run_deploy: configuration, validation before any change, the registry check, then the flows in parallel
// and one summary.
#include "deployer/deploy.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <ostream>
#include <regex>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>

#include "common/files.h"
#include "common/json.h"
#include "deployer/internal.h"
#include "deployer/provenance.h"

namespace df::deployer {

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
    static const std::regex re(R"(^\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s?)?\s*$)");
    std::cmatch m;
    const std::string t(text);
    if (t.empty() || !std::regex_match(t.c_str(), m, re)) return std::nullopt;
    long long total = 0;
    for (int i = 1; i <= 3; ++i) {
        if (m[i].matched) {
            if (m[i].length() > 7) return std::nullopt;
            total += std::stoll(m[i].str()) * (i == 1 ? 3600 : i == 2 ? 60 : 1);
        }
    }
    if (total <= 0) return std::nullopt;
    return std::chrono::seconds(total);
}

std::optional<std::chrono::milliseconds> parse_duration_ms(std::string_view text) {
    if (text.size() > 2 && text.substr(text.size() - 2) == "ms") {
        const std::string digits(text.substr(0, text.size() - 2));
        if (digits.empty() || digits.size() > 7 ||
            digits.find_first_not_of("0123456789") != std::string::npos) {
            return std::nullopt;
        }
        const long long n = std::stoll(digits);
        if (n <= 0) return std::nullopt;
        return std::chrono::milliseconds(n);
    }
    auto s = parse_duration(text);
    if (!s) return std::nullopt;
    return std::chrono::duration_cast<std::chrono::milliseconds>(*s);
}

namespace {

// The URL forms Coolify accepts for git_repository (ValidGitRepositoryUrl).
bool coolify_can_clone(const std::string& url) {
    static const std::regex scp(R"(^git@[A-Za-z0-9.\-]+:[A-Za-z0-9._~/\-]+$)");
    static const std::regex web(R"(^(https?|git)://[A-Za-z0-9.\-]+(:\d+)?/[A-Za-z0-9._~/\-]+$)");
    return std::regex_match(url, scp) || std::regex_match(url, web);
}

// When several skills end differently, the exit code reports the most serious outcome.
ExitCode overall(const std::vector<Outcome>& outcomes) {
    static const ExitCode order[] = {
        ExitCode::interrupted, ExitCode::needs_attention, ExitCode::no_permission, ExitCode::config,
        ExitCode::unavailable, ExitCode::protocol,        ExitCode::timed_out,     ExitCode::io_error,
        ExitCode::cant_create, ExitCode::temp_fail,       ExitCode::data_error,    ExitCode::no_input,
        ExitCode::usage,       ExitCode::failed};
    for (ExitCode c : order) {
        for (const auto& o : outcomes) {
            if (o.code == c) return c;
        }
    }
    for (const auto& o : outcomes) {
        if (o.code != ExitCode::ok) return o.code;
    }
    return ExitCode::ok;
}

void print_outcomes(const std::vector<Outcome>& outcomes, bool as_json, std::ostream& out) {
    if (as_json) {
        out << "{\"results\":[";
        for (std::size_t i = 0; i < outcomes.size(); ++i) {
            const auto& o = outcomes[i];
            json::Object j;
            j.set("name", o.name)
                .set("status", o.status)
                .set("exit_code", std::int64_t(static_cast<int>(o.code)));
            j.set("exit_name", std::string(exit_code_name(o.code)))
                .set("commit", o.commit)
                .set("changed", o.changed);
            j.set("app_uuid", o.app_uuid).set("deployment_uuid", o.deployment_uuid).set("fqdn", o.fqdn);
            j.set("rolled_back_to", o.rolled_back_to).set("message", o.message);
            std::string text = json::to_string(j);
            if (!o.secrets.empty()) {
                json::Object sec;
                for (const auto& [k, v] : o.secrets) sec.set(k, v);
                text.pop_back();
                text += ",\"secrets\":" + json::to_string(sec) + "}";
            }
            out << (i ? "," : "") << text;
        }
        out << "],\"exit_code\":" << static_cast<int>(overall(outcomes)) << "}\n";
        return;
    }
    out << fmt::format("{:<28} {:<16} {:<12} {:<26} {}\n", "SKILL", "STATUS", "COMMIT", "APP",
                       "URL / MESSAGE");
    for (const auto& o : outcomes) {
        const std::string note = o.message.empty() ? o.fqdn : o.message;
        out << fmt::format("{:<28} {:<16} {:<12} {:<26} {}\n", o.name, o.status, o.commit.substr(0, 12),
                           o.app_uuid.empty() ? "-" : o.app_uuid, note);
        for (const auto& [k, v] : o.secrets) out << fmt::format("  {}={}\n", k, v);
    }
}

// What monitor checks a deployed version against: its cron schedules and run timeout (docs/registry.md).
void record_monitoring(const Workflow& workflow, DeployRecord& rec) {
    for (const auto& t : workflow.triggers) {
        if (t.kind == Trigger::Kind::cron) rec.schedules.push_back(t.schedule);
    }
    rec.run_timeout_seconds = workflow.policy.run_timeout_seconds;
}

// Marks every skill "pending" in one transaction: proves the registry is sound and writable before
// anything remote changes.
Status begin_records(const Config& config, const std::vector<Skill>& skills, std::vector<std::string>& ids) {
    ids.clear();
    for (std::size_t i = 0; i < skills.size(); ++i) ids.push_back(new_record_id());
    return update_registry(config.registry.value, [&](Registry& r) {
        for (std::size_t i = 0; i < skills.size(); ++i) {
            SkillRecord& sk = r.skills[skills[i].name];
            DeployRecord rec;
            rec.id = ids[i];
            rec.status = "pending";
            rec.started_at = utc_timestamp();
            rec.source_sha256 = skills[i].manifest.source_sha256;
            rec.compiler_version = skills[i].manifest.compiler_version;
            rec.skill_version = skills[i].manifest.version;
            record_monitoring(skills[i].manifest.workflow, rec);
            sk.history.push_back(rec);
            // The top-level status says what runs; it changes when Coolify does (record()). A skill
            // never deployed before reads "pending" until its first attempt ends.
            if (sk.status.empty()) {
                sk.status = "pending";
                sk.updated_at = rec.started_at;
            }
        }
        return ok();
    });
}

// Ends every pending entry as failed when the attempt stopped before any remote change: the history
// keeps it, the skills' statuses stay what they were.
// A registry that cannot be written is reported, not dropped: the attempt's own error still decides the exit.
void abandon_records(const Config& config, const std::vector<Skill>& skills,
                     const std::vector<std::string>& ids, const Error& why, std::ostream& err) {
    for (std::size_t i = 0; i < skills.size(); ++i) {
        auto recorded = record(
            config.registry.value, skills[i].name, ids[i],
            [&](SkillRecord&, DeployRecord& rec) {
                rec.status = why.code == ExitCode::interrupted ? "interrupted" : "failed";
                rec.message = why.message + "; nothing was changed";
                rec.finished_at = utc_timestamp();
            },
            false);
        if (!recorded) {
            report_note(err, "warning",
                        fmt::format("{}: the registry keeps this attempt as 'pending': {}", skills[i].name,
                                    recorded.error().message));
        }
    }
}

template <class F>
std::vector<Outcome> run_parallel(std::size_t count, int max_parallel, F&& body) {
    std::vector<Outcome> outcomes(count);
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> workers;
    const std::size_t n = std::min<std::size_t>(count, static_cast<std::size_t>(std::max(1, max_parallel)));
    for (std::size_t w = 0; w < n; ++w) {
        workers.emplace_back([&] {
            for (std::size_t i = next++; i < count; i = next++) outcomes[i] = body(i);
        });
    }
    for (auto& t : workers) t.join();
    return outcomes;
}

constexpr const char* kPlaceholder = "not set (dry run placeholder)";

// Unset settings become "<VARIABLE>" for --dry-run (an unset token is named by print_dry_run).
void fill_placeholders(Config& c) {
    const std::pair<Setting Config::*, const char*> vars[] = {
        {&Config::coolify_url, "COOLIFY_URL"},
        {&Config::git_remote, "DF_GIT_REMOTE"},
        {&Config::server_uuid, "DF_SERVER_UUID"},
        {&Config::project_uuid, "DF_PROJECT_UUID"},
        {&Config::registry, "DF_REGISTRY"},
        {&Config::secrets_dir, "DF_SECRETS_DIR"},
        {&Config::private_key_uuid, "DF_PRIVATE_KEY_UUID"},
        {&Config::github_app_uuid, "DF_GITHUB_APP_UUID"}};
    for (const auto& [member, var] : vars) {
        Setting& s = c.*member;
        if (!s.set()) s = {fmt::format("<{}>", var), kPlaceholder};
    }
    if (!c.git_url.set()) c.git_url = c.git_remote;
}

// --token-file: the token is the file's content without its trailing newlines and spaces.
Result<ConfigFlags> flags_with_token(const DeployOptions& options) {
    ConfigFlags flags = options.config_flags;
    if (options.token_file.empty()) return flags;
    auto token = read_file(options.token_file, 64 * 1024);
    if (!token) return Error{ExitCode::config, token.error().message};
    std::string t = std::move(*token);
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
    flags.values["token"] = std::move(t);
    return flags;
}

// The settings this mode needs, and a git URL Coolify can clone. A dry run needs none: what is unknown
// becomes a placeholder.
Status check_settings(const DeployOptions& options, Config& config) {
    std::vector<std::string> needed = {"coolify_url", "token", "git_remote", "registry"};
    if (options.dry_run) std::erase(needed, std::string("token"));
    if (options.mode == Mode::deploy)
        needed.insert(needed.end(), {"server_uuid", "project_uuid", "secrets_dir"});
    if (options.dry_run) fill_placeholders(config);
    if (auto s = require_settings(config, needed); !s) return s;
    if (options.mode == Mode::deploy && config.git_url.origin != kPlaceholder &&
        !coolify_can_clone(config.git_url.value)) {
        return Error{ExitCode::config,
                     fmt::format("Coolify cannot clone '{}' ({}): it needs an https://, http://, git:// or "
                                 "git@host:path URL of the remote; set DF_GIT_URL to the URL Coolify "
                                 "should clone when DF_GIT_REMOTE is a local path or alias",
                                 http::without_userinfo(config.git_url.value), config.git_url.origin)};
    }
    return ok();
}

// Every skill folder, validated; each bad one is reported, and the first one's code is returned.
std::optional<ExitCode> load_skills(const DeployOptions& options, std::vector<Skill>& skills,
                                    std::ostream& err) {
    if (options.skill_dirs.empty())
        return report(err, Error{ExitCode::usage,
                                 fmt::format("no skill folder given (see {} --help)", program_name())});
    std::optional<ExitCode> first;
    std::map<std::string, std::string> seen;
    for (const auto& dir : options.skill_dirs) {
        auto skill = load_skill(dir, options.force);
        if (!skill) {
            report(err, skill.error());
            if (!first) first = skill.error().code;
            continue;
        }
        if (auto [it, fresh] = seen.emplace(skill->name, dir); !fresh) {
            return report(err, Error{ExitCode::usage, fmt::format("'{}' and '{}' are the same skill '{}'",
                                                                  it->second, dir, skill->name)});
        }
        skills.push_back(std::move(*skill));
    }
    return first;
}

// The registry (one "pending" entry per skill), then the credentials (GET /version), then the push, then
// each skill's flow in parallel. An error here stopped the deploy before any change.
Result<std::vector<Outcome>> deploy_all(Session& session, const std::vector<Skill>& skills,
                                        std::vector<ProvenanceFacts>& provenance, std::ostream& err) {
    const Config& config = session.config;
    std::vector<std::string> ids;
    if (auto s = begin_records(config, skills, ids); !s) {
        return Error{s.error().code, s.error().message + "; nothing was deployed"};
    }
    // The credentials (and the server's version) are proven before the push: a wrong token must not move
    // the branch.
    if (auto v = session.version(); !v) {
        abandon_records(config, skills, ids, v.error(), err);
        return Error{v.error().code, v.error().message + "; nothing was deployed"};
    }
    std::vector<PublishJob> jobs;
    for (const auto& skill : skills) {
        const std::string branch = config.branch_prefix.value + skill.name;
        session.progress.line(skill.name, "pushing to " + branch);
        jobs.push_back(
            {skill.dir, branch, fmt::format("deploy {} (version {})", skill.name, skill.manifest.version)});
    }
    const auto published = publish_all(session.git(), jobs);
    auto outcomes = run_parallel(skills.size(), session.options.max_parallel, [&](std::size_t i) {
        return deploy_skill(session, skills[i], ids[i], published[i]);
    });
    for (std::size_t i = 0; i < skills.size(); ++i)
        provenance.push_back(deploy_facts(skills[i], outcomes[i], ids[i]));
    return outcomes;
}

// --rollback NAME or --remove NAME, after the credentials: a wrong token must not leave a "deploying"
// entry behind.
Result<std::vector<Outcome>> manage_one(Session& session, std::vector<ProvenanceFacts>& provenance) {
    const DeployOptions& options = session.options;
    if (auto v = session.version(); !v)
        return Error{v.error().code, v.error().message + "; nothing was changed"};
    // What ran before the change (a removal forgets it), for the provenance.
    auto before = change_facts(session.config.registry.value,
                               options.mode == Mode::rollback ? "rollback" : "remove", options.name);
    std::vector<Outcome> outcomes{options.mode == Mode::rollback
                                      ? rollback_skill(session, options.name, options.to_commit)
                                      : remove_skill(session, options.name, options.delete_branch)};
    provenance.push_back(complete_facts(std::move(before), outcomes.back()));
    return outcomes;
}

}  // namespace

ExitCode run_deploy(const DeployOptions& options, std::ostream& out, std::ostream& err) {
    const std::string started_at = utc_timestamp();
    auto flags = flags_with_token(options);
    if (!flags) return report(err, flags.error());
    auto config = resolve_config(*flags, process_env());
    if (!config) return report(err, config.error());
    if (options.mode == Mode::print_config) {
        out << describe_config(*config, options.json);
        return ExitCode::ok;
    }
    // deploy --evidence NAME reads only the provenance ledger beside the registry.
    if (options.mode == Mode::evidence) {
        if (auto s = require_settings(*config, {"registry"}); !s) return report(err, s.error());
        return print_provenance(config->registry.value, options.name, options.evidence_key, out, err);
    }
    // Every local check comes before the first side effect: settings, --env, skills, then the registry
    // (begin_records) and the credentials (GET /version), and only then git and the API.
    if (auto s = validate_env(options.env); !s) return report(err, s.error());
    if (auto s = check_settings(options, *config); !s) return report(err, s.error());
    Progress progress(err, ::isatty(STDERR_FILENO) && !std::getenv("NO_COLOR"));
    std::vector<Skill> skills;
    if (options.mode == Mode::deploy) {
        if (auto code = load_skills(options, skills, err)) return *code;
    }
    if (options.dry_run) {
        if (auto reg = load_registry(config->registry.value); !reg) return report(err, reg.error());
        Session session(options, *config, progress);
        print_dry_run(session, skills, out);
        return ExitCode::ok;
    }
    Session session(options, *config, progress);
    std::vector<ProvenanceFacts> provenance;
    auto outcomes = options.mode == Mode::deploy ? deploy_all(session, skills, provenance, err)
                                                 : manage_one(session, provenance);
    if (!outcomes) return report(err, outcomes.error());
    // Every attempt leaves its provenance beside the registry (deployer/provenance.cpp).
    record_provenance({config->registry.value, options.evidence_key, options.actor, started_at,
                       config->coolify_url.value, config->git_remote.value, config->branch_prefix.value},
                      std::move(provenance), err);
    for (const auto& o : *outcomes) {
        if (o.code != ExitCode::ok) report(err, Error{o.code, o.name + ": " + o.message});
    }
    print_outcomes(*outcomes, options.json, out);
    return overall(*outcomes);
}

}  // namespace df::deployer
