// The hash-chained, optionally signed ledger (docs/evidence.md, "The ledger"): one JSON line per entry,
// {"entry":BODY,"keyid":"…","sig":"…"}, where BODY is a compact object that begins {"seq":N, and ends
// ,"prev_sha256":"<SHA-256 of the line before, newline included>"} and the signature is Ed25519 over DSSE's
// PAE(kEntryType, BODY). The run executor writes the same lines in bash (lib/evidence.sh); deploy writes
// its provenance with append() and monitor checks it with verify_ledger().
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace df::evidence {

struct Entry {
    std::size_t seq = 0;
    std::string body, keyid, sig, prev_sha256;
};

// The parts of one line (without its newline); nullopt when it is not a whole ledger line.
std::optional<Entry> parse_line(std::string_view line);

// Appends one entry under an flock on "<path>.lock": `body_for(seq, prev_sha256)` makes its body, signed
// with the PEM private key `key_file` unless it is empty. A last line cut short by a crash is ended first
// and kept (verification reports it); the chain goes on from its bytes. Creates the file (0600).
Result<Entry> append(const std::string& path,
                     const std::function<std::string(std::size_t, const std::string&)>& body_for,
                     const std::string& key_file);

struct Finding {
    std::size_t line = 0;
    std::string text;
};

struct Verification {
    std::size_t lines = 0, signed_entries = 0;
    std::vector<Entry> entries;     // the lines that parse, in order
    std::vector<Finding> problems;  // each names the line and what differs
};

// Where deploy keeps its provenance ledger: beside `registry` (registry.json → registry.evidence.jsonl).
std::string provenance_ledger_path(const std::string& registry);

// Every line whole, numbered in order, chained to the line before, and (with `public_key`) signed by it.
Result<Verification> verify_ledger(const std::string& path, const std::string& public_key);

}  // namespace df::evidence
