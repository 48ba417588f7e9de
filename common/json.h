// Small JSON helpers over RapidJSON for the API client, the registry and the config: a flat object
// builder for request bodies (so dry runs can print exactly what would be sent) and tolerant readers
// for documents whose shapes drift between server versions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <rapidjson/document.h>

#include "common/error.h"

namespace df::json {

// A scalar or a list of strings: everything our request bodies need.
using Scalar = std::variant<std::nullptr_t, bool, std::int64_t, std::string, std::vector<std::string>>;

// An ordered JSON object of scalars. Order is kept so the body printed by --dry-run is the body sent.
struct Object {
    std::vector<std::pair<std::string, Scalar>> fields;

    Object& set(std::string key, Scalar value);
    const Scalar* find(std::string_view key) const;
    bool empty() const { return fields.empty(); }
};

std::string quote(std::string_view s);  // a JSON string literal
// A JSON string literal with every non-ASCII character escaped (\uXXXX): also safe as a YAML 1.1 or 1.2
// double-quoted scalar (YAML 1.1 reads U+2028 and U+0085 as line breaks inside quotes) and in any file
// whose encoding a reader might guess wrong.
std::string quote_ascii(std::string_view s);
std::string to_string(const Scalar& value);   // the JSON text of one value
std::string to_string(const Object& object);  // compact JSON text

// Parses `text`; a parse failure is `code` with a message that names `origin` and the offset.
Result<rapidjson::Document> parse(std::string_view text, std::string_view origin, ExitCode code);

// Tolerant member readers: a missing member or null gives the fallback; numbers and booleans are
// accepted where strings are expected (servers are not always consistent) and converted to text.
const rapidjson::Value* member(const rapidjson::Value& object, std::string_view key);
std::string str(const rapidjson::Value& object, std::string_view key, std::string_view fallback = {});
std::optional<std::string> opt_str(const rapidjson::Value& object, std::string_view key);
std::int64_t integer(const rapidjson::Value& object, std::string_view key, std::int64_t fallback = 0);
// Booleans may come as true/false, 0/1 or "true"/"false"/"1"/"0".
std::optional<bool> opt_bool(const rapidjson::Value& object, std::string_view key);
std::string text(const rapidjson::Value& value);  // a string's text, or the JSON of anything else

}  // namespace df::json
