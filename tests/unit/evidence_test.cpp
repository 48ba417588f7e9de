// common/evidence: DSSE's PAE (its official test vector), base64 in both alphabets, SHA-256, ledger lines.
#include <catch2/catch.hpp>

#include "common/evidence/crypto.h"
#include "common/evidence/ledger.h"

namespace ev = df::evidence;

TEST_CASE("evidence: PAE is DSSE v1's, byte for byte (the spec's test vector)") {
    CHECK(ev::pae("http://example.com/HelloWorld", "hello world") ==
          "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
    CHECK(ev::pae("t", "") == "DSSEv1 1 t 0 ");
}

TEST_CASE("evidence: base64 (standard out; standard and URL-safe in, padding optional)") {
    CHECK(ev::base64(std::string("\xfb\xff", 2)) == "+/8=");
    CHECK(ev::base64_decode("+/8=") == std::string("\xfb\xff", 2));
    CHECK(ev::base64_decode("-_8") == std::string("\xfb\xff", 2));
    CHECK(ev::base64_decode("aGVsbG8gd29ybGQ=") == "hello world");
    CHECK(ev::base64_decode("") == "");
    CHECK_FALSE(ev::base64_decode("a$b=").has_value());
}

TEST_CASE("evidence: a ledger line's parts, and what is not a line") {
    const std::string prev(64, 'a');
    const std::string body = R"({"seq":12,"run_id":"x","nested":{"a":[1,2]},"prev_sha256":")" + prev + "\"}";
    const auto e = ev::parse_line(R"({"entry":)" + body + R"(,"keyid":"00ff","sig":"AB+/_-=="})");
    REQUIRE(e.has_value());
    CHECK(e->seq == 12);
    CHECK(e->body == body);
    CHECK(e->prev_sha256 == prev);
    CHECK(e->keyid == "00ff");
    CHECK(e->sig == "AB+/_-==");
    const std::string line = R"({"entry":)" + body + R"(,"keyid":"","sig":""})";
    CHECK(ev::parse_line(line).has_value());
    for (std::size_t cut = 0; cut < line.size(); cut += 7) {
        INFO(cut);
        CHECK_FALSE(ev::parse_line(line.substr(0, cut)).has_value());
    }
    CHECK_FALSE(ev::parse_line(R"({"entry":{"seq":x,"prev_sha256":")" + prev + R"("},"keyid":"","sig":""})"));
    CHECK_FALSE(ev::parse_line(R"({"entry":{"seq":1,"prev_sha256":"short"},"keyid":"","sig":""})"));
}

TEST_CASE("evidence: the provenance ledger is beside the registry") {
    CHECK(ev::provenance_ledger_path("/s/registry.json") == "/s/registry.evidence.jsonl");
    CHECK(ev::provenance_ledger_path("/s/reg") == "/s/reg.evidence.jsonl");
}
