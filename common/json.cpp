#include "common/json.h"

#include <fmt/format.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace df::json {

Object& Object::set(std::string key, Scalar value) {
    for (auto& [k, v] : fields) {
        if (k == key) {
            v = std::move(value);
            return *this;
        }
    }
    fields.emplace_back(std::move(key), std::move(value));
    return *this;
}

const Scalar* Object::find(std::string_view key) const {
    for (const auto& [k, v] : fields) {
        if (k == key) return &v;
    }
    return nullptr;
}

namespace {

// A JSON string literal of UTF-8 `s`, written in the `Target` encoding (UTF-8 as is, or ASCII with \uXXXX).
template <class Target>
std::string quote_as(std::string_view s) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<>, Target> w(buffer);
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

std::string quote(std::string_view s) {
    return quote_as<rapidjson::UTF8<>>(s);
}

std::string quote_ascii(std::string_view s) {
    return quote_as<rapidjson::ASCII<>>(s);
}

std::string to_string(const Scalar& value) {
    struct Visitor {
        std::string operator()(std::nullptr_t) const { return "null"; }
        std::string operator()(bool b) const { return b ? "true" : "false"; }
        std::string operator()(std::int64_t n) const { return std::to_string(n); }
        std::string operator()(const std::string& s) const { return quote(s); }
        std::string operator()(const std::vector<std::string>& list) const {
            std::string out = "[";
            for (std::size_t i = 0; i < list.size(); ++i) out += (i ? "," : "") + quote(list[i]);
            return out + "]";
        }
    };
    return std::visit(Visitor{}, value);
}

std::string to_string(const Object& object) {
    std::string out = "{";
    bool first = true;
    for (const auto& [k, v] : object.fields) {
        out += (first ? "" : ",") + quote(k) + ":" + to_string(v);
        first = false;
    }
    return out + "}";
}

Result<rapidjson::Document> parse(std::string_view text, std::string_view origin, ExitCode code) {
    rapidjson::Document doc;
    doc.Parse(text.data(), text.size());
    if (doc.HasParseError()) {
        return Error{code,
                     fmt::format("{} is not valid JSON: {} at byte {}", origin,
                                 rapidjson::GetParseError_En(doc.GetParseError()), doc.GetErrorOffset())};
    }
    return doc;
}

const rapidjson::Value* member(const rapidjson::Value& object, std::string_view key) {
    if (!object.IsObject()) return nullptr;
    const auto it =
        object.FindMember(rapidjson::Value(key.data(), static_cast<rapidjson::SizeType>(key.size())));
    if (it == object.MemberEnd() || it->value.IsNull()) return nullptr;
    return &it->value;
}

std::string text(const rapidjson::Value& value) {
    if (value.IsString()) return std::string(value.GetString(), value.GetStringLength());
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    value.Accept(w);
    return std::string(buffer.GetString(), buffer.GetSize());
}

std::optional<std::string> opt_str(const rapidjson::Value& object, std::string_view key) {
    const auto* v = member(object, key);
    if (!v) return std::nullopt;
    return text(*v);
}

std::string str(const rapidjson::Value& object, std::string_view key, std::string_view fallback) {
    auto v = opt_str(object, key);
    return v ? *v : std::string(fallback);
}

std::int64_t integer(const rapidjson::Value& object, std::string_view key, std::int64_t fallback) {
    const auto* v = member(object, key);
    if (!v) return fallback;
    if (v->IsInt64()) return v->GetInt64();
    if (v->IsUint64()) return static_cast<std::int64_t>(v->GetUint64());
    if (v->IsDouble()) return static_cast<std::int64_t>(v->GetDouble());
    if (v->IsString()) {
        try {
            return std::stoll(v->GetString());
        } catch (...) {
            return fallback;
        }
    }
    return fallback;
}

std::optional<bool> opt_bool(const rapidjson::Value& object, std::string_view key) {
    const auto* v = member(object, key);
    if (!v) return std::nullopt;
    if (v->IsBool()) return v->GetBool();
    if (v->IsInt64()) return v->GetInt64() != 0;
    if (v->IsString()) {
        const std::string_view s(v->GetString(), v->GetStringLength());
        if (s == "true" || s == "1") return true;
        if (s == "false" || s == "0") return false;
    }
    return std::nullopt;
}

}  // namespace df::json
