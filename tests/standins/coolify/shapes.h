// The stand-in's answers in Coolify's shapes, shared by the server core (server.cpp) and the API routes
// (routes.cpp): JSON of apps and deployments, and request validation with Laravel's error shapes.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <httplib.h>
#include <rapidjson/document.h>

#include "common/json.h"
#include "tests/standins/coolify/state.h"

namespace standin {

void reply(httplib::Response& res, int status, const std::string& body);
void message(httplib::Response& res, int status, const std::string& text);  // {"message": text}
std::string status_text(const std::string& s);  // "running" → "running:unhealthy", as Coolify shows it
std::string app_json(const App& a, bool with_settings, bool sensitive);
std::string deployment_json(const Deployment& d, bool sensitive);

// --- Validation with Laravel's shapes ----------------------------------------------------------------

enum class Kind { string, boolean, integer, strings };
struct FieldRule {
    const char* name;
    Kind kind;
    const char* pattern;  // nullptr: any
};
using Errors = std::map<std::string, std::vector<std::string>>;

// The rule of an application field Coolify accepts (nullptr: not one), and the fields only a create takes.
const FieldRule* rule(const std::string& name);
extern const std::set<std::string> kCreateOnly;
std::string errors_json(const Errors& errors);  // 422 {"message":"Validation failed.","errors":{…}}
// Checks one field's type and pattern; stores it in `into` when valid, else adds to `errors`.
void check_field(const std::string& key, const rapidjson::Value& v, const FieldRule& r, Errors& errors,
                 df::json::Object& into);
// validateIncomingRequest: JSON content type, valid JSON, not empty; answers 400 itself when not.
std::optional<rapidjson::Document> body_json(const httplib::Request& req, httplib::Response& res);
std::vector<std::string> segments(const std::string& path);  // "/a//b/" → {"a", "b"}

}  // namespace standin
