#include "monitor/json.h"

namespace df::monitor {

namespace {
rapidjson::SizeType size_of(std::string_view s) {
    return static_cast<rapidjson::SizeType>(s.size());
}
}  // namespace

JsonOut::JsonOut(bool pretty) {
    if (pretty) {
        pretty_.emplace(buffer_);
        pretty_->SetIndent(' ', 2);
    } else {
        compact_.emplace(buffer_);
    }
}

void JsonOut::key(std::string_view k) {
    if (k.empty()) return;
    with([&](auto& w) { w.Key(k.data(), size_of(k)); });
}

JsonOut& JsonOut::begin_object(std::string_view k) {
    key(k);
    with([](auto& w) { w.StartObject(); });
    return *this;
}
JsonOut& JsonOut::end_object() {
    with([](auto& w) { w.EndObject(); });
    return *this;
}
JsonOut& JsonOut::begin_array(std::string_view k) {
    key(k);
    with([](auto& w) { w.StartArray(); });
    return *this;
}
JsonOut& JsonOut::end_array() {
    with([](auto& w) { w.EndArray(); });
    return *this;
}
JsonOut& JsonOut::field(std::string_view k, std::string_view v) {
    key(k);
    return value(v);
}
JsonOut& JsonOut::value(std::string_view v) {
    with([&](auto& w) { w.String(v.data(), size_of(v)); });
    return *this;
}
JsonOut& JsonOut::field(std::string_view k, std::int64_t v) {
    key(k);
    with([&](auto& w) { w.Int64(v); });
    return *this;
}
JsonOut& JsonOut::field(std::string_view k, bool v) {
    key(k);
    with([&](auto& w) { w.Bool(v); });
    return *this;
}
JsonOut& JsonOut::field_or_null(std::string_view k, std::string_view v) {
    return v.empty() ? null_field(k) : field(k, v);
}
JsonOut& JsonOut::field(std::string_view k, const std::optional<std::int64_t>& v) {
    return v ? field(k, *v) : null_field(k);
}
JsonOut& JsonOut::null_field(std::string_view k) {
    key(k);
    with([](auto& w) { w.Null(); });
    return *this;
}

std::string JsonOut::str() const {
    return std::string(buffer_.GetString(), buffer_.GetSize()) + "\n";
}

}  // namespace df::monitor
