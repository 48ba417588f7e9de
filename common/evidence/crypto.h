// What evidence needs from OpenSSL's libcrypto (docs/evidence.md): SHA-256, base64, DSSE's
// pre-authentication encoding and Ed25519 signatures with PEM keys. Only deploy and monitor link it
// (df_evidence); df-compile does not.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

namespace df::evidence {

// DSSE payload type of an in-toto Statement, and of a ledger entry (the same line format for runs and
// deploys).
inline constexpr std::string_view kStatementType = "application/vnd.in-toto+json";
inline constexpr std::string_view kEntryType = "application/vnd.dark-factory.ledger-entry+json";

// (SHA-256 is df::sha256_hex, common/text.h: compile needs it too.)

// Standard base64 without line breaks; decoding accepts the standard and the URL-safe alphabet (DSSE says
// verifiers must), with or without padding.
std::string base64(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

// DSSE v1 PAE: "DSSEv1 <len(type)> <type> <len(body)> <body>".
std::string pae(std::string_view type, std::string_view body);

// The Ed25519 signature (64 raw bytes) of `message` with the PEM private key in `key_file`.
Result<std::string> sign(const std::string& key_file, std::string_view message);

// DSSE's key hint: hex SHA-256 of the DER public key, from a PEM private (or, `public_key`, public) key file.
Result<std::string> key_id(const std::string& key_file, bool public_key);

// Does `signature` verify `message` with the PEM public key in `key_file`? An unreadable key is an error.
Result<bool> verify(const std::string& key_file, std::string_view message, std::string_view signature);

}  // namespace df::evidence
