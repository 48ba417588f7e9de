#include "common/registry.h"

#include <atomic>
#include <filesystem>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "common/files.h"

using namespace df;

namespace {

std::string temp_dir() {
    char tmpl[] = "/tmp/df-registry-test.XXXXXX";
    return ::mkdtemp(tmpl);
}

Status add_deploy(const std::string& path, const std::string& skill, int n) {
    return update_registry(path, [&](Registry& r) {
        auto& s = r.skills[skill];
        s.branch = "df/" + skill;
        DeployRecord rec;
        rec.id = skill + "-" + std::to_string(n);
        rec.commit = std::string(40, 'a');
        rec.status = "finished";
        s.history.push_back(rec);
        s.status = "finished";
        return ok();
    });
}

}  // namespace

TEST_CASE("registry: round trip, absent file, last good") {
    const std::string dir = temp_dir();
    const std::string path = dir + "/state/registry.json";
    auto empty = load_registry(path);
    REQUIRE(empty);
    CHECK(empty->skills.empty());
    REQUIRE(add_deploy(path, "alpha", 1));
    auto r = load_registry(path);
    REQUIRE(r);
    REQUIRE(r->skills.count("alpha"));
    CHECK(r->skills["alpha"].history.size() == 1);
    CHECK(r->skills["alpha"].last_good()->id == "alpha-1");
    CHECK_FALSE(r->skills["alpha"].last_good(std::string(40, 'a')));
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    auto again = parse_registry(write_registry(*r), "x");
    REQUIRE(again);
    CHECK(write_registry(*again) == write_registry(*r));
    std::filesystem::remove_all(dir);
}

TEST_CASE("registry: a corrupt file is reported and left untouched") {
    const std::string dir = temp_dir();
    const std::string path = dir + "/registry.json";
    const std::string garbage = "{\"schema_version\": 1, \"skills\": {\"a\": ";
    REQUIRE(write_file_atomic(path, garbage));
    auto r = load_registry(path);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ExitCode::data_error);
    CHECK(r.error().message.find("corrupt") != std::string::npos);
    auto s = add_deploy(path, "alpha", 1);
    REQUIRE_FALSE(s);
    CHECK(s.error().code == ExitCode::data_error);
    CHECK(*read_file(path, 1000) == garbage);

    REQUIRE(write_file_atomic(path, R"({"schema_version": 99, "skills": {}})"));
    auto newer = load_registry(path);
    REQUIRE_FALSE(newer);
    CHECK(newer.error().message.find("schema version 99") != std::string::npos);
    REQUIRE(
        write_file_atomic(path, R"({"schema_version": 1, "skills": {"a": {"history": [{"commit": 5}]}}})"));
    CHECK_FALSE(load_registry(path));
    std::filesystem::remove_all(dir);
}

TEST_CASE("registry: eight concurrent writer processes and a reader lose nothing") {
    const std::string dir = temp_dir();
    const std::string path = dir + "/registry.json";
    constexpr int kWriters = 8, kEach = 15;
    std::vector<pid_t> children;
    for (int w = 0; w < kWriters; ++w) {
        const pid_t pid = ::fork();
        if (pid == 0) {
            for (int n = 0; n < kEach; ++n) {
                if (!add_deploy(path, "skill" + std::to_string(w), n)) ::_exit(1);
            }
            ::_exit(0);
        }
        children.push_back(pid);
    }
    std::atomic<bool> done{false};
    std::atomic<int> reads{0}, bad{0};
    std::thread reader([&] {
        while (!done) {
            if (!load_registry(path)) ++bad;
            ++reads;
        }
    });
    for (pid_t pid : children) {
        int status = 0;
        ::waitpid(pid, &status, 0);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
    }
    done = true;
    reader.join();
    CHECK(bad == 0);
    CHECK(reads > 0);
    auto r = load_registry(path);
    REQUIRE(r);
    REQUIRE(r->skills.size() == kWriters);
    for (const auto& [name, s] : r->skills) CHECK(s.history.size() == kEach);
    std::filesystem::remove_all(dir);
}

TEST_CASE("registry: an unwritable directory is a clear error") {
    if (::geteuid() == 0) return;  // root ignores permissions
    const std::string dir = temp_dir();
    ::chmod(dir.c_str(), 0500);
    auto s = add_deploy(dir + "/registry.json", "alpha", 1);
    REQUIRE_FALSE(s);
    CHECK(s.error().code == ExitCode::cant_create);
    ::chmod(dir.c_str(), 0700);
    std::filesystem::remove_all(dir);
}

TEST_CASE("registry: default path") {
    CHECK(*resolve_registry_path(std::nullopt, fixed_env({{"HOME", "/home/u"}})) ==
          "/home/u/.local/state/dark-factory/registry.json");
    CHECK(*resolve_registry_path(std::nullopt, fixed_env({{"HOME", "/home/u"}, {"XDG_STATE_HOME", "/s"}})) ==
          "/s/dark-factory/registry.json");
    CHECK(*resolve_registry_path(std::nullopt, fixed_env({{"DF_REGISTRY", "/r.json"}})) == "/r.json");
    CHECK(*resolve_registry_path(std::string("/flag.json"), fixed_env({{"DF_REGISTRY", "/r.json"}})) ==
          "/flag.json");
    CHECK(resolve_registry_path(std::nullopt, fixed_env({})).error().code == ExitCode::config);
}

TEST_CASE("registry: a deploy's schedules and run timeout round-trip, and are written only when set",
          "[registry]") {
    Registry r;
    DeployRecord with, without;
    with.id = "a";
    with.schedules = {"30 1 * * *", "0 */2 * * 1-5"};
    with.run_timeout_seconds = 3600;
    without.id = "b";
    r.skills["x"].history = {with, without};
    const std::string text = write_registry(r);
    CHECK(text.find("\"schedules\"") == text.rfind("\"schedules\""));  // once: only where set
    auto back = parse_registry(text, "test");
    REQUIRE(back);
    CHECK(back->skills["x"].history[0].schedules == with.schedules);
    CHECK(back->skills["x"].history[0].run_timeout_seconds == 3600);
    CHECK(back->skills["x"].history[1].schedules.empty());
    CHECK_FALSE(back->skills["x"].history[1].run_timeout_seconds);
    for (const char* bad : {R"("schedules": "30 1 * * *")", R"("schedules": [1])",
                            R"("run_timeout_seconds": "1")", R"("run_timeout_seconds": 0)"}) {
        const auto broken = parse_registry(
            std::string(R"({"schema_version": 1, "skills": {"x": {"history": [{)") + bad + "}]}}}", "test");
        CHECK_FALSE(broken);
    }
}
