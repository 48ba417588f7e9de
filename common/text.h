// Small string helpers shared by the programs: UTF-8 validation, slugs, trimming, case.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace df {

// Offset of the first byte that does not start a valid UTF-8 sequence (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), or nullopt when `s` is valid throughout.
std::optional<std::size_t> find_invalid_utf8(std::string_view s);

// The AgentSkills name for a title: lower-case ASCII letters and digits, words joined by single '-',
// at most `max_length` characters, cut at a word boundary. Empty when nothing usable remains.
std::string slugify(std::string_view title, std::size_t max_length = 64);

// True for `^[a-z0-9]+(-[a-z0-9]+)*$` of at most 64 characters.
bool is_valid_slug(std::string_view s);

std::string_view trim(std::string_view s);
std::string to_lower(std::string_view s);
std::vector<std::string_view> split(std::string_view s, char separator);
bool starts_with_icase(std::string_view s, std::string_view prefix);
bool equals_icase(std::string_view a, std::string_view b);

// Collapses every run of whitespace (including newlines) into one space and trims the ends.
std::string collapse_whitespace(std::string_view s);

// Cuts `s` to at most `max_bytes` bytes without splitting a UTF-8 sequence, adding "…" when it cut.
std::string truncate_utf8(std::string_view s, std::size_t max_bytes);

// Lower-case hex SHA-256 of `data` (common/sha256.cpp).
std::string sha256_hex(std::string_view data);

}  // namespace df
