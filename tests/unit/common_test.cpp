// common/: file helpers that keep their promises, and the text helpers every program uses.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "common/files.h"
#include "common/text.h"

using namespace df;
namespace fs = std::filesystem;

namespace {

// A scratch folder removed at the end of the test.
struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "df-unit.XXXXXX").string();
        path = ::mkdtemp(tmpl.data());
    }
    ~TempDir() { fs::remove_all(path); }
    std::string file(const std::string& name) const { return (path / name).string(); }
};

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST_CASE("write_file_atomic writes, replaces, sets the mode exactly and leaves no temporary file") {
    TempDir dir;
    const std::string path = dir.file("registry.json");
    const mode_t old_umask = ::umask(077);
    REQUIRE(write_file_atomic(path, "first\n", 0644));
    ::umask(old_umask);
    CHECK(slurp(path) == "first\n");
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0644);  // the umask neither loosens nor tightens it

    const ino_t first_inode = st.st_ino;
    REQUIRE(write_file_atomic(path, "second, longer\n", 0600));
    CHECK(slurp(path) == "second, longer\n");
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0600);
    CHECK(st.st_ino != first_inode);  // a new file renamed into place, not rewritten in place
    CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
}

TEST_CASE("write_file_atomic replaces a symbolic link itself, never the file it points to") {
    TempDir dir;
    const std::string target = dir.file("target"), link = dir.file("link");
    REQUIRE(write_file_atomic(target, "keep me", 0644));
    fs::create_symlink(target, link);
    REQUIRE(write_file_atomic(link, "new", 0644));
    CHECK(slurp(target) == "keep me");
    CHECK_FALSE(fs::is_symlink(link));
    CHECK(slurp(link) == "new");
}

TEST_CASE("write_file_atomic into a missing folder fails as an I/O error, naming the path") {
    const auto s = write_file_atomic("/nonexistent-df-dir/x.json", "x");
    REQUIRE_FALSE(s);
    CHECK(s.error().code == ExitCode::io_error);
    CHECK(s.error().message.find("/nonexistent-df-dir/") != std::string::npos);
}

TEST_CASE("read_file: limits, missing files and folders") {
    TempDir dir;
    const std::string path = dir.file("w.md");
    REQUIRE(write_file_atomic(path, std::string(100, 'x')));
    CHECK(*read_file(path, 100) == std::string(100, 'x'));
    const auto over = read_file(path, 99);
    REQUIRE_FALSE(over);
    CHECK(over.error().code == ExitCode::data_error);
    CHECK(over.error().message.find("exceeds the input size limit of 99 bytes") != std::string::npos);
    const auto missing = read_file(dir.file("nope.md"), 10);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == ExitCode::no_input);
    CHECK(missing.error().message == "cannot read '" + dir.file("nope.md") + "': No such file or directory");
    const auto folder = read_file(dir.path.string(), 10);
    REQUIRE_FALSE(folder);
    CHECK(folder.error().message.find("it is a directory") != std::string::npos);
}

TEST_CASE("read_stream reads everything up to the limit") {
    std::FILE* f = std::tmpfile();
    std::fputs("hello", f);
    std::rewind(f);
    CHECK(*read_stream(f, 5, "<stdin>") == "hello");
    std::rewind(f);
    const auto over = read_stream(f, 4, "<stdin>");
    REQUIRE_FALSE(over);
    CHECK(over.error().message == "'<stdin>' exceeds the input size limit of 4 bytes");
    std::fclose(f);
}

TEST_CASE("UniqueFd closes once and reports the descriptor it gives away") {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    UniqueFd a(fds[0]);
    UniqueFd b(std::move(a));
    CHECK_FALSE(a);
    CHECK(b.get() == fds[0]);
    CHECK(b.close("pipe"));
    CHECK_FALSE(b);
    ::close(fds[1]);
}

TEST_CASE("find_invalid_utf8 follows RFC 3629") {
    CHECK_FALSE(find_invalid_utf8("plain ASCII"));
    CHECK_FALSE(find_invalid_utf8("ä € 𝄞 \xF4\x8F\xBF\xBF"));  // up to U+10FFFF
    CHECK(find_invalid_utf8("ab\x80") == 2u);                  // a lone continuation byte
    CHECK(find_invalid_utf8("\xC0\xAF") == 0u);                // overlong '/'
    CHECK(find_invalid_utf8("\xE0\x80\xAF") == 0u);            // overlong three-byte form
    CHECK(find_invalid_utf8("x\xED\xA0\x80") == 1u);           // a UTF-16 surrogate
    CHECK(find_invalid_utf8("\xF4\x90\x80\x80") == 0u);        // above U+10FFFF
    CHECK(find_invalid_utf8("ok \xE2\x82") == 3u);             // cut short at the end
    CHECK(find_invalid_utf8("\xE2\x28\xA1") == 0u);            // a bad continuation
    CHECK(find_invalid_utf8("\xF8\x88\x80\x80\x80") == 0u);
}

TEST_CASE("slugify makes AgentSkills names; is_valid_slug checks them") {
    CHECK(slugify("Deploy Service") == "deploy-service");
    CHECK(slugify("Deploy & Verify") == "deploy-verify");
    CHECK(slugify("  Don't Stop -- Now!  ") == "dont-stop-now");
    CHECK(slugify("Übergröße 2 Go") == "bergr-e-2-go");  // non-ASCII letters separate words
    CHECK(slugify("../../etc/passwd") == "etc-passwd");
    CHECK(slugify("../..").empty());
    CHECK(slugify("日本語").empty());
    CHECK(slugify("alpha beta gamma", 12) == "alpha-beta");  // cut at a word boundary
    CHECK(slugify(std::string(80, 'a')).size() == 64);
    CHECK(is_valid_slug("deploy-service"));
    CHECK(is_valid_slug("a1"));
    for (const char* bad : {"", "-a", "a-", "a--b", "A", "a_b", "a.b", "../x"}) {
        INFO(bad);
        CHECK_FALSE(is_valid_slug(bad));
    }
    CHECK_FALSE(is_valid_slug(std::string(65, 'a')));
    for (const char* title :
         {"Deploy Service", "x--y", "Ünïcode Title 2", "a b c d e f g h i j k l m n o p q r s t u v"}) {
        INFO(title);
        CHECK(is_valid_slug(slugify(title)));
    }
}

TEST_CASE("trim, case, split, whitespace and truncation") {
    CHECK(trim(" \t x y \r\n") == "x y");
    CHECK(trim("   ").empty());
    CHECK(to_lower("MiXed ÄB") == "mixed Äb");
    CHECK(split("a,,b", ',') == std::vector<std::string_view>{"a", "", "b"});
    CHECK(starts_with_icase("Workflow: X", "WORKFLOW:"));
    CHECK(equals_icase("Production", "pRODUCTION"));
    CHECK(collapse_whitespace("  a \n\t b  ") == "a b");
    CHECK(truncate_utf8("short", 10) == "short");
    CHECK(truncate_utf8("aaaaaaaaaa", 7) == "aaaa…");
    const std::string cut = truncate_utf8("ääääää", 8);  // never splits a character
    CHECK_FALSE(find_invalid_utf8(cut));
    CHECK(cut.size() <= 8);
}

TEST_CASE("sha256_hex (libcrypto) gives the FIPS 180-4 test vectors") {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopq"
                     "rlmnopqrsmnopqrstnopqrstu") ==
          "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    CHECK(sha256_hex(std::string(1000000, 'a')) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
