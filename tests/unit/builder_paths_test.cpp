// Which files the builder serves, and how it reaches them: relative *.md paths only, every access from the
// folder's descriptor with no symlink followed, so a symlink (placed before or swapped in after the folder
// was opened) never leads a read, a list or a save out of the folder. Each case runs with both resolvers.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "compiler/builder/paths.h"

using namespace df;
using namespace df::compiler::builder;
namespace fs = std::filesystem;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// A scratch folder: flows/ (the builder's folder: a workflow, a subfolder, a compiled skill folder, a hidden
// folder, symlinks in and out) beside outside/ (a file and a folder the builder must never touch).
struct Tree {
    std::string base, root, outside;
    Tree() {
        char pattern[] = "/tmp/df-builder-test.XXXXXX";
        base = ::mkdtemp(pattern);
        root = base + "/flows";
        outside = base + "/outside";
        for (const auto& dir : {root + "/sub", root + "/skill", root + "/.hidden", outside}) {
            fs::create_directories(dir);
        }
        for (const auto& f :
             {root + "/a.md", root + "/sub/b.md", root + "/skill/SKILL.md", root + "/skill/skill.json",
              root + "/.hidden/c.md", root + "/notes.txt", outside + "/secret.md"}) {
            std::ofstream(f) << "# Workflow: X\n";
        }
        fs::create_directory_symlink(outside, root + "/out");
        fs::create_symlink(outside + "/secret.md", root + "/escape.md");
        fs::create_symlink("a.md", root + "/alias.md");
    }
    ~Tree() { fs::remove_all(base); }
};

// The folder opened with each resolver this kernel has (openat2 when it works here, and always the
// component walk).
std::vector<Folder> open_each(const std::string& root) {
    std::vector<Folder> folders;
    auto automatic = Folder::open(root);
    REQUIRE(automatic);
    if (automatic->resolver() == Folder::Resolver::openat2) {
        folders.push_back(std::move(*automatic));
    } else {
        WARN("openat2 does not work here: only the component walk is tested");
    }
    auto components = Folder::open(root, Folder::Resolver::components);
    REQUIRE(components);
    folders.push_back(std::move(*components));
    return folders;
}

std::string read_error(const Folder& folder, std::string_view path) {
    const auto place = folder.place(path);
    if (!place) return place.error().message;
    const auto file = place->read(1 << 20);
    return file ? std::string() : file.error().message;
}

}  // namespace

TEST_CASE("builder paths: only relative *.md paths without hidden or parent components") {
    CHECK(check_relative_path("a.md"));
    CHECK(check_relative_path("flows/deploy.md"));
    for (const char* bad : {"", "/etc/passwd.md", "../x.md", "a/../../x.md", "./a.md", "a//b.md", ".git/x.md",
                            "a.txt", "a.md/", "md", "a\\b.md", "a\nb.md"}) {
        INFO(bad);
        CHECK_FALSE(check_relative_path(bad));
    }
}

TEST_CASE(
    "builder paths: files are read under the folder; symlinks, in or out, are refused with the reason") {
    const Tree t;
    for (const auto& folder : open_each(t.root)) {
        INFO("resolver " << static_cast<int>(folder.resolver()));
        const auto a = folder.place("sub/b.md")->read(1 << 20);
        REQUIRE(a);
        CHECK((*a)->bytes == "# Workflow: X\n");
        CHECK_FALSE(*folder.place("new.md")->read(1 << 20));  // no such file yet: a new workflow
        for (const char* symlink : {"escape.md", "out/secret.md", "alias.md"}) {
            INFO(symlink);
            CHECK(read_error(folder, symlink).find("is or passes through a symlink") != std::string::npos);
        }
        CHECK(folder.place("missing/x.md").error().code == ExitCode::no_input);
        CHECK(folder.place("../a.md").error().code == ExitCode::usage);
    }
}

TEST_CASE(
    "builder paths: the list holds workflows, not skill folders, hidden folders, symlinks or other files") {
    const Tree t;
    for (const auto& folder : open_each(t.root))
        CHECK(folder.list() == std::vector<std::string>{"a.md", "sub/b.md"});
}

TEST_CASE("builder paths: a save never writes through a symlink, and nothing outside changes") {
    const Tree t;
    for (const auto& folder : open_each(t.root)) {
        INFO("resolver " << static_cast<int>(folder.resolver()));
        CHECK_FALSE(folder.place("out/new.md"));
        const auto escape = folder.place("escape.md");
        REQUIRE(escape);
        CHECK_FALSE(escape->read(1 << 20));  // what a save checks first
        CHECK(slurp(t.outside + "/secret.md") == "# Workflow: X\n");
        CHECK_FALSE(fs::exists(t.outside + "/new.md"));
    }
}

TEST_CASE("builder paths: a hard link (to a file outside, say) is refused for reading, so for saving too") {
    const Tree t;
    fs::create_hard_link(t.outside + "/secret.md", t.root + "/linked.md");
    for (const auto& folder : open_each(t.root)) {
        INFO("resolver " << static_cast<int>(folder.resolver()));
        const auto error = read_error(folder, "linked.md");  // what a save checks first, too
        CHECK(error.find("'linked.md' is refused: it is a hard link (2 names for one file") !=
              std::string::npos);
        CHECK(folder.place("linked.md")->read(1 << 20).error().code == ExitCode::usage);
    }
    CHECK(slurp(t.outside + "/secret.md") == "# Workflow: X\n");
}

TEST_CASE("builder paths: a folder swapped for a symlink after the folder was opened is not followed") {
    const Tree t;
    for (const auto& folder : open_each(t.root)) {
        INFO("resolver " << static_cast<int>(folder.resolver()));
        // A place taken before the swap keeps its folder: the save lands in the real one, wherever it moved.
        const auto before = folder.place("sub/b.md");
        REQUIRE(before);
        fs::rename(t.root + "/sub", t.root + "/moved");
        fs::create_directory_symlink(t.outside, t.root + "/sub");
        REQUIRE(before->replace("# Workflow: Saved\n", 0644, false));
        CHECK(slurp(t.root + "/moved/b.md") == "# Workflow: Saved\n");
        CHECK_FALSE(fs::exists(t.outside + "/b.md"));
        // A place taken after it is refused.
        const auto after = folder.place("sub/b.md");
        REQUIRE_FALSE(after);
        INFO(after.error().message);
        CHECK(after.error().message.find("symlink") != std::string::npos);
        CHECK(fs::directory_entry(t.outside).exists());
        CHECK(std::vector<fs::path>(fs::directory_iterator(t.outside), {}) ==
              std::vector<fs::path>{t.outside + "/secret.md"});
        fs::remove(t.root + "/sub");
        fs::rename(t.root + "/moved", t.root + "/sub");
    }
}

TEST_CASE("builder paths: a save replaces the file atomically, and a new file never replaces one") {
    const Tree t;
    const auto folder = Folder::open(t.root);
    REQUIRE(folder);
    const auto a = folder->place("a.md");
    REQUIRE(a->replace("# Workflow: New\n", 0600, false));
    CHECK(slurp(t.root + "/a.md") == "# Workflow: New\n");
    CHECK((fs::status(t.root + "/a.md").permissions() & fs::perms::all) ==
          (fs::perms::owner_read | fs::perms::owner_write));
    const auto status = a->replace("# Workflow: Again\n", 0644, true);
    REQUIRE_FALSE(status);
    CHECK(status.error().code == ExitCode::cant_create);
    CHECK(slurp(t.root + "/a.md") == "# Workflow: New\n");
    for (const auto& entry : fs::directory_iterator(t.root)) {
        CHECK(entry.path().filename().string().find(".tmp-") == std::string::npos);  // no temporary left
    }
}
