// A thin layer over RapidJSON's writer so each view's --json document reads as a list of its keys.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace df::monitor {

class JsonOut {
  public:
    explicit JsonOut(bool pretty = true);

    JsonOut& begin_object(std::string_view key = {});
    JsonOut& end_object();
    JsonOut& begin_array(std::string_view key = {});
    JsonOut& end_array();

    JsonOut& field(std::string_view key, std::string_view value);
    JsonOut& field(std::string_view key, const char* value) { return field(key, std::string_view(value)); }
    JsonOut& field(std::string_view key, const std::string& value) {
        return field(key, std::string_view(value));
    }
    JsonOut& field(std::string_view key, std::int64_t value);
    JsonOut& field(std::string_view key, int value) { return field(key, static_cast<std::int64_t>(value)); }
    JsonOut& field(std::string_view key, bool value);
    // null when empty / absent
    JsonOut& field_or_null(std::string_view key, std::string_view value);
    JsonOut& field(std::string_view key, const std::optional<std::int64_t>& value);
    JsonOut& null_field(std::string_view key);
    JsonOut& value(std::string_view text);  // an array element

    // The document with a trailing newline.
    std::string str() const;

  private:
    void key(std::string_view k);
    rapidjson::StringBuffer buffer_;
    std::optional<rapidjson::PrettyWriter<rapidjson::StringBuffer>> pretty_;
    std::optional<rapidjson::Writer<rapidjson::StringBuffer>> compact_;
    template <class F>
    void with(F&& f) {
        if (pretty_)
            f(*pretty_);
        else
            f(*compact_);
    }
};

}  // namespace df::monitor
