#include "compiler/builder/api.h"

#include <string_view>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "common/json.h"
#include "compiler/builder/markdown_edit.h"
#include "compiler/builder/paths.h"
#include "compiler/builder/step_forms.h"

namespace df::compiler::builder {

std::string_view embedded_file(std::string_view name);  // the page's files (assets/, embedded at build time)

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void key_string(Writer& w, const char* key, std::string_view value) {
    w.Key(key);
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

template <class Fill>
void send_json(httplib::Response& res, int status, Fill fill) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    fill(w);
    w.EndObject();
    res.status = status;
    res.set_content(buffer.GetString(), buffer.GetSize(), "application/json");
}

int status_of(ExitCode code) {
    switch (code) {
        case ExitCode::usage:
        case ExitCode::data_error:
            return 400;
        case ExitCode::no_input:
            return 404;
        case ExitCode::temp_fail:
        case ExitCode::cant_create:
            return 409;
        default:
            return 500;
    }
}

void send_error(httplib::Response& res, const Error& e) {
    send_json(res, status_of(e.code), [&](Writer& w) { key_string(w, "error", e.message); });
}

void send_loaded(httplib::Response& res, const Loaded& loaded) {
    send_json(res, 200, [&](Writer& w) {
        key_string(w, "text", loaded.text);
        key_string(w, "sha256", loaded.sha256);
        key_string(w, "line_endings", loaded.style.crlf ? "crlf" : "lf");
        w.Key("final_newline");
        w.Bool(loaded.style.final_newline);
    });
}

void write_outline(Writer& w, std::string_view text) {
    w.Key("outline");
    w.StartArray();
    for (const auto& section : outline(text)) {
        w.StartObject();
        key_string(w, "section", section.key);
        w.Key("heading");
        w.String(section.heading.c_str());
        w.Key("items");
        w.StartArray();
        for (const auto& item : section.items) {
            w.StartObject();
            key_string(w, "text", item.text);
            w.Key("line");
            w.Uint64(item.line);
            w.Key("fields");
            w.StartObject();
            for (const auto& [key, value] : item.fields) key_string(w, key.c_str(), value);
            w.EndObject();
            if (section.section == Section::steps) {  // the ids its Needs: names, one edge each
                w.Key("needs");
                w.StartArray();
                for (const auto& [key, value] : item.fields) {
                    if (key != "Needs") continue;
                    for (const auto& id : needed_ids(value)) w.String(id.c_str());
                }
                w.EndArray();
            }
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
    }
    w.EndArray();
}

// The request's JSON object, or an error already sent.
std::optional<rapidjson::Document> body(const httplib::Request& req, httplib::Response& res) {
    auto doc = json::parse(req.body, "the request", ExitCode::usage);
    if (!doc || !doc->IsObject()) {
        send_error(res, doc ? Error{ExitCode::usage, "the request is not a JSON object"} : doc.error());
        return std::nullopt;
    }
    return std::move(*doc);
}

bool flag(const rapidjson::Value& v, std::string_view key) {
    return json::opt_bool(v, key).value_or(false);
}

std::size_t index_of(const rapidjson::Value& v) {
    const auto i = json::integer(v, "index", -1);
    return i < 0 ? static_cast<std::size_t>(-1) : static_cast<std::size_t>(i);
}

// One form's edit of the text: {"op": "add_input" | "add_output" | "add_bullet" | "add_step" | "remove" |
// "move" | "set_field" | "add_need" | "remove_need" | "set_uses" | "add_trigger", "text": …, and the form's
// fields}.
Result<std::string> apply_edit(const rapidjson::Value& v) {
    const std::string op = json::str(v, "op"), text = json::str(v, "text");
    const Section section = classify_section(json::str(v, "section"));
    if (op == "add_input") {
        InputForm form{
            json::str(v, "name"), json::str(v, "description"), json::str(v, "default"), flag(v, "required"),
            flag(v, "optional"),  flag(v, "number"),           flag(v, "boolean"),      flag(v, "secret")};
        const auto bullet = input_bullet(form);
        if (!bullet) return bullet.error();
        return add_bullet(text, Section::inputs, *bullet);
    }
    if (op == "add_output") {
        const auto bullet = output_bullet(json::str(v, "name"), json::str(v, "description"));
        if (!bullet) return bullet.error();
        return add_bullet(text, Section::outputs, *bullet);
    }
    if (op == "add_bullet") return add_bullet(text, section, json::str(v, "bullet"));
    if (op == "add_step") {
        return add_step(text, json::str(v, "title"), json::str(v, "instructions"), json::str(v, "command"));
    }
    if (op == "remove") return remove_item(text, section, index_of(v));
    if (op == "move")
        return move_item(text, section, index_of(v), static_cast<int>(json::integer(v, "delta")));
    if (op == "set_field")
        return set_step_field(text, index_of(v), json::str(v, "key"), json::str(v, "value"));
    if (op == "add_need") return add_need(text, index_of(v), json::str(v, "id"));
    if (op == "remove_need") return remove_need(text, index_of(v), json::str(v, "id"));
    if (op == "set_uses") return set_uses(text, index_of(v), json::str(v, "child"), json::str(v, "with"));
    if (op == "add_trigger") {
        const auto bullet =
            trigger_bullet(json::str(v, "kind"), json::str(v, "schedule"), json::str(v, "inputs"));
        if (!bullet) return bullet.error();
        return add_bullet(text, Section::triggers, *bullet);
    }
    return Error{ExitCode::usage, "unknown edit '" + op + "'"};
}

void serve_asset(httplib::Server& server, const std::string& route, std::string_view file, const char* type) {
    server.Get(route, [file, type](const httplib::Request&, httplib::Response& res) {
        const auto content = embedded_file(file);
        res.set_content(content.data(), content.size(), type);
    });
}

}  // namespace

void add_routes(httplib::Server& server, Workspace& ws) {
    serve_asset(server, "/", "index.html", "text/html; charset=utf-8");
    serve_asset(server, "/app.js", "app.js", "text/javascript; charset=utf-8");
    serve_asset(server, "/app.css", "app.css", "text/css; charset=utf-8");
    server.Get("/api/files", [&ws](const httplib::Request&, httplib::Response& res) {
        send_json(res, 200, [&](Writer& w) {
            key_string(w, "root", ws.root());
            w.Key("files");
            w.StartArray();
            for (const auto& file : ws.list()) w.String(file.c_str());
            w.EndArray();
        });
    });
    server.Get("/api/file", [&ws](const httplib::Request& req, httplib::Response& res) {
        const auto loaded = ws.load(req.get_param_value("path"));
        loaded ? send_loaded(res, *loaded) : send_error(res, loaded.error());
    });
    server.Post("/api/check", [&ws](const httplib::Request& req, httplib::Response& res) {
        const auto v = body(req, res);
        if (!v) return;
        const std::string path = json::str(*v, "path"), text = json::str(*v, "text");
        if (auto s = check_relative_path(path); !s) return send_error(res, s.error());
        const Checked checked = ws.check(path, text);
        send_json(res, 200, [&](Writer& w) {
            w.Key("exit_code");
            w.Int(checked.exit_code);
            key_string(w, "diagnostics", checked.diagnostics);
            key_string(w, "svg", checked.svg);
            w.Key("step_ids");
            w.StartArray();
            for (const auto& id : checked.step_ids) w.String(id.c_str());
            w.EndArray();
            write_outline(w, text);
        });
    });
    server.Post("/api/edit", [](const httplib::Request& req, httplib::Response& res) {
        const auto v = body(req, res);
        if (!v) return;
        const auto text = apply_edit(*v);
        if (!text) return send_error(res, text.error());
        send_json(res, 200, [&](Writer& w) { key_string(w, "text", *text); });
    });
    server.Post("/api/save", [&ws](const httplib::Request& req, httplib::Response& res) {
        const auto v = body(req, res);
        if (!v) return;
        const auto saved = ws.save(json::str(*v, "path"), json::str(*v, "text"), json::str(*v, "sha256"));
        saved ? send_loaded(res, *saved) : send_error(res, saved.error());
    });
    server.Post("/api/new", [&ws](const httplib::Request& req, httplib::Response& res) {
        const auto v = body(req, res);
        if (!v) return;
        const auto made =
            ws.create(json::str(*v, "path"), json::str(*v, "title"), json::str(*v, "description"));
        made ? send_loaded(res, *made) : send_error(res, made.error());
    });
    server.Post("/api/dry-run", [&ws](const httplib::Request& req, httplib::Response& res) {
        const auto v = body(req, res);
        if (!v) return;
        const std::string path = json::str(*v, "path");
        if (auto s = check_relative_path(path); !s) return send_error(res, s.error());
        std::map<std::string, std::string> inputs;
        if (const auto* in = json::member(*v, "inputs"); in && in->IsObject()) {
            for (auto it = in->MemberBegin(); it != in->MemberEnd(); ++it) {
                inputs[it->name.GetString()] = json::text(it->value);
            }
        }
        const auto ran = ws.dry_run(path, json::str(*v, "text"), inputs);
        if (!ran) return send_error(res, ran.error());
        send_json(res, 200, [&](Writer& w) {
            w.Key("exit_code");
            w.Int(ran->exit_code);
            key_string(w, "output", ran->output);
        });
    });
}

}  // namespace df::compiler::builder
