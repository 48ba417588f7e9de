// The exit-code table in common/error.h and its user-facing copy in docs/exit-codes.md must agree.
#include "common/error.h"

#include <fstream>
#include <map>
#include <regex>
#include <string>

#include <catch2/catch.hpp>

#include "tests/unit/support.h"

using namespace df;

TEST_CASE("docs/exit-codes.md lists exactly the codes of common/error.h, with the same names") {
    std::map<int, std::string> code_table;
    for (int code = 0; code < 256; ++code) {
        const auto name = exit_code_name(static_cast<ExitCode>(code));
        if (name != "unknown") code_table[code] = std::string(name);
    }
    REQUIRE(code_table.size() >= 10);

    // Rows look like: | 65 | `data_error` | Input data is malformed ... |
    std::ifstream doc(test::source_dir() + "/docs/exit-codes.md");
    REQUIRE(doc);
    const std::regex row(R"(^\|\s*(\d+)\s*\|\s*`([a-z_]+)`\s*\|.*\|\s*$)");
    std::map<int, std::string> doc_table;
    std::string line;
    while (std::getline(doc, line)) {
        std::smatch m;
        if (std::regex_match(line, m, row)) {
            INFO(line);
            CHECK(doc_table.emplace(std::stoi(m[1]), m[2]).second);  // each code once
        }
    }
    CHECK(doc_table == code_table);
}

TEST_CASE("Result carries a value or an error") {
    Result<int> good = 7;
    REQUIRE(good);
    CHECK(*good == 7);
    Result<int> bad = Error{ExitCode::no_input, "gone"};
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == ExitCode::no_input);
    CHECK(exit_code_name(ExitCode::cant_create) == "cant_create");
    CHECK(static_cast<int>(ExitCode::usage) == 64);
}
