#include "common/registry.h"

#include <array>
#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "common/files.h"
#include "common/json.h"

namespace df {

DeployRecord* SkillRecord::find(std::string_view id) {
    for (auto& r : history) {
        if (r.id == id) return &r;
    }
    return nullptr;
}

const DeployRecord* SkillRecord::last_good(std::string_view except) const {
    for (auto it = history.rbegin(); it != history.rend(); ++it) {
        if (it->status == "finished" && (it->kind == "deploy" || it->kind == "rollback") &&
            !it->commit.empty() && it->commit != except) {
            return &*it;
        }
    }
    return nullptr;
}

const DeployRecord* SkillRecord::running_deploy() const {
    for (auto it = history.rbegin(); it != history.rend(); ++it) {
        if (it->kind == "deploy" && it->status == "finished" && !commit.empty() && it->commit == commit)
            return &*it;
    }
    return nullptr;
}

std::string utc_timestamp(std::time_t t) {
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buffer;
}

// --- JSON --------------------------------------------------------------------------------------------

namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void put(Writer& w, const char* key, const std::string& value) {
    w.Key(key);
    w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

// One table of string fields per record type serves the writer and the reader (const or not).
template <class R>
auto record_fields(R& r) {
    return std::array{std::pair{"id", &r.id},
                      std::pair{"kind", &r.kind},
                      std::pair{"commit", &r.commit},
                      std::pair{"deployment_uuid", &r.deployment_uuid},
                      std::pair{"status", &r.status},
                      std::pair{"started_at", &r.started_at},
                      std::pair{"finished_at", &r.finished_at},
                      std::pair{"source_sha256", &r.source_sha256},
                      std::pair{"compiler_version", &r.compiler_version},
                      std::pair{"skill_version", &r.skill_version},
                      std::pair{"message", &r.message}};
}

template <class S>
auto skill_fields(S& s) {
    return std::array{std::pair{"app_uuid", &s.app_uuid},
                      std::pair{"app_name", &s.app_name},
                      std::pair{"fqdn", &s.fqdn},
                      std::pair{"branch", &s.branch},
                      std::pair{"commit", &s.commit},
                      std::pair{"status", &s.status},
                      std::pair{"updated_at", &s.updated_at}};
}

void write_record(Writer& w, const DeployRecord& r) {
    w.StartObject();
    for (const auto& [key, field] : record_fields(r)) put(w, key, *field);
    if (!r.schedules.empty()) {
        w.Key("schedules");
        w.StartArray();
        for (const auto& s : r.schedules) w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
        w.EndArray();
    }
    if (r.run_timeout_seconds) {
        w.Key("run_timeout_seconds");
        w.Int(*r.run_timeout_seconds);
    }
    w.EndObject();
}

// The optional monitoring fields of a record: `schedules` (strings) and `run_timeout_seconds` (a number).
void read_monitoring(const rapidjson::Value& v, DeployRecord& r, const std::string& where,
                     std::string& problem) {
    if (const auto it = v.FindMember("schedules"); it != v.MemberEnd() && !it->value.IsNull()) {
        bool good = it->value.IsArray();
        if (good) {
            for (const auto& e : it->value.GetArray()) {
                if (!e.IsString())
                    good = false;
                else
                    r.schedules.emplace_back(e.GetString(), e.GetStringLength());
            }
        }
        if (!good && problem.empty())
            problem = fmt::format("'{}.schedules' must be an array of strings", where);
    }
    if (const auto it = v.FindMember("run_timeout_seconds"); it != v.MemberEnd() && !it->value.IsNull()) {
        if (it->value.IsInt() && it->value.GetInt() > 0)
            r.run_timeout_seconds = it->value.GetInt();
        else if (problem.empty())
            problem = fmt::format("'{}.run_timeout_seconds' must be a positive number", where);
    }
}

// Every string field must be a string when present; we report the first that is not.
bool read_string(const rapidjson::Value& o, const char* key, std::string& out, std::string& problem,
                 const std::string& where) {
    const auto it = o.FindMember(key);
    if (it == o.MemberEnd() || it->value.IsNull()) return true;
    if (!it->value.IsString()) {
        if (problem.empty()) problem = fmt::format("'{}.{}' must be a string", where, key);
        return false;
    }
    out.assign(it->value.GetString(), it->value.GetStringLength());
    return true;
}

// Reads the string fields of a table from the object `v`; false when `v` is not an object.
template <class Fields>
bool read_fields(const rapidjson::Value& v, const Fields& fields, const std::string& where,
                 std::string& problem) {
    if (!v.IsObject()) {
        if (problem.empty()) problem = fmt::format("'{}' must be an object", where);
        return false;
    }
    for (const auto& [key, field] : fields) read_string(v, key, *field, problem, where);
    return true;
}

DeployRecord read_record(const rapidjson::Value& v, const std::string& where, std::string& problem) {
    DeployRecord r;
    if (read_fields(v, record_fields(r), where, problem)) read_monitoring(v, r, where, problem);
    return r;
}

SkillRecord read_skill(const rapidjson::Value& v, const std::string& where, std::string& problem) {
    SkillRecord s;
    if (!read_fields(v, skill_fields(s), where, problem)) return s;
    if (const auto it = v.FindMember("history"); it != v.MemberEnd()) {
        if (!it->value.IsArray()) {
            if (problem.empty()) problem = fmt::format("'{}.history' must be an array", where);
            return s;
        }
        std::size_t i = 0;
        for (const auto& e : it->value.GetArray()) {
            s.history.push_back(read_record(e, fmt::format("{}.history[{}]", where, i++), problem));
        }
    }
    return s;
}

}  // namespace

std::string write_registry(const Registry& registry) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.SetIndent(' ', 2);
    w.StartObject();
    w.Key("schema_version");
    w.Int(registry.schema_version);
    w.Key("skills");
    w.StartObject();
    for (const auto& [name, s] : registry.skills) {
        w.Key(name.c_str(), static_cast<rapidjson::SizeType>(name.size()));
        w.StartObject();
        for (const auto& [key, field] : skill_fields(s)) put(w, key, *field);
        w.Key("history");
        w.StartArray();
        for (const auto& r : s.history) write_record(w, r);
        w.EndArray();
        w.EndObject();
    }
    w.EndObject();
    w.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

Result<Registry> parse_registry(std::string_view text, std::string_view origin) {
    auto doc = json::parse(text, fmt::format("the registry '{}'", origin), ExitCode::data_error);
    auto corrupt = [&](const std::string& why) {
        return Error{
            ExitCode::data_error,
            fmt::format("the registry '{}' is corrupt: {}; it was left untouched — repair it or move it "
                        "aside (deploy will then start a new one)",
                        origin, why)};
    };
    if (!doc) return corrupt(doc.error().message);
    if (!doc->IsObject()) return corrupt("the top level is not a JSON object");
    Registry r;
    const auto sv = doc->FindMember("schema_version");
    if (sv == doc->MemberEnd() || !sv->value.IsInt())
        return corrupt("'schema_version' is missing or not a number");
    r.schema_version = sv->value.GetInt();
    if (r.schema_version > kRegistrySchemaVersion || r.schema_version < 1) {
        return Error{
            ExitCode::data_error,
            fmt::format("the registry '{}' has schema version {}, this program reads {}; use a newer "
                        "version of dark-factory",
                        origin, r.schema_version, kRegistrySchemaVersion)};
    }
    const auto skills = doc->FindMember("skills");
    if (skills == doc->MemberEnd() || !skills->value.IsObject()) return corrupt("'skills' is not an object");
    std::string problem;
    for (const auto& m : skills->value.GetObject()) {
        const std::string name(m.name.GetString(), m.name.GetStringLength());
        r.skills[name] = read_skill(m.value, "skills." + name, problem);
    }
    if (!problem.empty()) return corrupt(problem);
    return r;
}

Result<Registry> load_registry(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) return Registry{};
    auto text = read_file(path, 256u << 20);
    if (!text) {
        // Unreadable (permissions, a folder in its place) is no_input (66), as docs/exit-codes.md says.
        return Error{text.error().code, fmt::format("cannot read the registry: {}", text.error().message)};
    }
    return parse_registry(*text, path);
}

namespace {

std::string parent_of(const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

Status make_dirs(const std::string& dir) {
    if (dir.empty() || dir == "/" || dir == ".") return ok();
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode)) return ok();
        return Error{ExitCode::cant_create, fmt::format("'{}' is not a directory", dir)};
    }
    if (auto s = make_dirs(parent_of(dir)); !s) return s;
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        return Error{ExitCode::cant_create,
                     fmt::format("cannot create the registry directory '{}': {}", dir, errno_text(errno))};
    }
    return ok();
}

Error write_error(const std::string& what, const std::string& path, int err) {
    const ExitCode code =
        (err == EACCES || err == EROFS || err == EPERM) ? ExitCode::cant_create : ExitCode::io_error;
    return Error{
        code, fmt::format("cannot {} '{}': {}; check the registry location (--registry / DF_REGISTRY)", what,
                          path, errno_text(err))};
}

}  // namespace

Status update_registry(const std::string& path, const std::function<Status(Registry&)>& change,
                       std::chrono::milliseconds lock_wait) {
    if (auto s = make_dirs(parent_of(path)); !s) return s;
    const std::string lock_path = path + ".lock";
    UniqueFd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!lock) return write_error("create the registry lock", lock_path, errno);
    const auto give_up = std::chrono::steady_clock::now() + lock_wait;
    while (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR) return write_error("lock", lock_path, errno);
        if (std::chrono::steady_clock::now() >= give_up) {
            return Error{ExitCode::temp_fail,
                         fmt::format("the registry '{}' is locked by another process; try again", path)};
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    // Under the lock: read the latest file, apply the change, replace atomically. The lock is released
    // when `lock` closes.
    auto registry = load_registry(path);
    if (!registry) return registry.error();
    if (auto s = change(*registry); !s) return s;
    for (auto& [name, skill] : registry->skills) {
        if (skill.history.size() > kRegistryHistoryLimit) {
            skill.history.erase(skill.history.begin(),
                                skill.history.end() - static_cast<std::ptrdiff_t>(kRegistryHistoryLimit));
        }
    }
    if (auto s = write_file_atomic(path, write_registry(*registry), 0600); !s) {
        return Error{
            s.error().code == ExitCode::io_error && s.error().message.find("ermission") != std::string::npos
                ? ExitCode::cant_create
                : s.error().code,
            fmt::format("cannot write the registry: {}", s.error().message)};
    }
    return ok();
}

Result<std::string> resolve_registry_path(const std::optional<std::string>& flag, const EnvLookup& env) {
    if (flag && !flag->empty()) return *flag;
    if (auto v = env("DF_REGISTRY")) return *v;
    if (auto state = env("XDG_STATE_HOME"); state && (*state)[0] == '/') {
        return *state + "/dark-factory/registry.json";
    }
    if (auto home = env("HOME")) return *home + "/.local/state/dark-factory/registry.json";
    return Error{ExitCode::config,
                 "cannot place the registry: HOME is not set; pass --registry or set DF_REGISTRY"};
}

}  // namespace df
