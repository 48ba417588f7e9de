#include "common/manifest.h"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "common/files.h"

namespace df {
namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void put(Writer& w, std::string_view key, std::string_view value) {
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}
void put(Writer& w, std::string_view key, int value) {
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    w.Int(value);
}
void put(Writer& w, std::string_view key, bool value) {
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    w.Bool(value);
}
void put(Writer& w, std::string_view key, const std::optional<int>& value) {
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    value ? w.Int(*value) : w.Null();
}
void put_strings(Writer& w, std::string_view key, const std::vector<std::string>& values) {
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    w.StartArray();
    for (const auto& v : values) w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
    w.EndArray();
}
void put_map(Writer& w, std::string_view key, const KeyValues& values) {
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    w.StartObject();
    for (const auto& [k, v] : values) put(w, k, v);
    w.EndObject();
}

void write_input(Writer& w, const Input& in) {
    w.StartObject();
    put(w, "name", in.name);
    put(w, "description", in.description);
    put(w, "type", to_string(in.type));
    put(w, "required", in.required);
    w.Key("default");
    in.default_value ? (void)w.String(in.default_value->c_str(),
                                      static_cast<rapidjson::SizeType>(in.default_value->size()))
                     : (void)w.Null();
    put_strings(w, "choices", in.choices);
    put(w, "secret", in.secret);
    w.Key("env_alias");
    in.env_alias.empty()
        ? (void)w.Null()
        : (void)w.String(in.env_alias.c_str(), static_cast<rapidjson::SizeType>(in.env_alias.size()));
    put(w, "line", in.pos.line);
    w.EndObject();
}

void write_step(Writer& w, const Step& step) {
    w.StartObject();
    put(w, "id", step.id);
    put(w, "number", step.number);
    put(w, "title", step.title);
    put(w, "kind", to_string(step.kind));
    put(w, "description", step.description);
    put_strings(w, "instructions", step.instructions);
    put(w, "commands", step.commands);
    w.Key("samples");
    w.StartArray();
    for (const auto& s : step.samples) {
        w.StartObject();
        put(w, "language", s.language);
        put(w, "code", s.code);
        w.EndObject();
    }
    w.EndArray();
    put(w, "timeout_seconds", step.timeout_seconds);
    put(w, "retries", step.retries);
    put(w, "line", step.pos.line);
    w.EndObject();
}

void write_steps(Writer& w, std::string_view key, const std::vector<Step>& steps) {
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    w.StartArray();
    for (const auto& s : steps) write_step(w, s);
    w.EndArray();
}

void write_policy(Writer& w, const Policy& p) {
    w.Key("policy");
    w.StartObject();
    put(w, "run_timeout_seconds", p.run_timeout_seconds);
    put(w, "step_timeout_seconds", p.step_timeout_seconds);
    put(w, "retries", p.retries);
    put(w, "retry_delay_seconds", p.retry_delay_seconds);
    w.Key("approval");
    if (p.approval) {
        w.StartObject();
        put(w, "when_input", p.approval->when_input);
        put(w, "equals", p.approval->equals);
        put(w, "timeout_seconds", p.approval->timeout_seconds);
        w.EndObject();
    } else {
        w.Null();
    }
    w.Key("rate_limit");
    if (p.rate_limit) {
        w.StartObject();
        put(w, "max_runs", p.rate_limit->max_runs);
        put(w, "window_seconds", p.rate_limit->window_seconds);
        put(w, "key_input", p.rate_limit->key_input);
        w.EndObject();
    } else {
        w.Null();
    }
    w.Key("concurrency");
    if (p.concurrency) {
        w.StartObject();
        put(w, "max_runs", p.concurrency->max_runs);
        put(w, "key_input", p.concurrency->key_input);
        w.EndObject();
    } else {
        w.Null();
    }
    w.Key("memory_limit_bytes");
    p.memory_limit_bytes ? (void)w.Uint64(*p.memory_limit_bytes) : (void)w.Null();
    put(w, "auto_rollback", p.auto_rollback);
    put(w, "history_days", p.history_days);
    put(w, "history_runs", p.history_runs);
    w.EndObject();
}

}  // namespace

std::string write_manifest(const Manifest& m) {
    const Workflow& wf = m.workflow;
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.SetIndent(' ', 2);
    w.StartObject();
    put(w, "schema_version", m.schema_version);
    put(w, "name", wf.name);
    put(w, "title", wf.title);
    put(w, "description", wf.description);
    put(w, "version", m.version);
    w.Key("compiler");
    w.StartObject();
    put(w, "name", m.compiler_name);
    put(w, "version", m.compiler_version);
    w.EndObject();
    w.Key("source");
    w.StartObject();
    put(w, "path", m.source_path);
    put(w, "sha256", m.source_sha256);
    w.EndObject();
    w.Key("inputs");
    w.StartArray();
    for (const auto& in : wf.inputs) write_input(w, in);
    w.EndArray();
    w.Key("outputs");
    w.StartArray();
    for (const auto& out : wf.outputs) {
        w.StartObject();
        put(w, "name", out.name);
        put(w, "description", out.description);
        put(w, "line", out.pos.line);
        w.EndObject();
    }
    w.EndArray();
    write_steps(w, "steps", wf.steps);
    write_steps(w, "rollback", wf.rollback);
    w.Key("guardrails");
    w.StartArray();
    for (const auto& g : wf.guardrails) {
        w.StartObject();
        put(w, "text", g.text);
        put(w, "kind", to_string(g.kind));
        put(w, "enforced", g.enforced);
        put(w, "interpretation", g.interpretation);
        put(w, "line", g.pos.line);
        w.EndObject();
    }
    w.EndArray();
    write_policy(w, wf.policy);
    w.Key("triggers");
    w.StartArray();
    for (const auto& t : wf.triggers) {
        w.StartObject();
        put(w, "kind", to_string(t.kind));
        if (t.kind == Trigger::Kind::cron) {
            put(w, "schedule", t.schedule);
            put(w, "written", t.written);
            put_map(w, "inputs", t.inputs);
        }
        put(w, "line", t.pos.line);
        w.EndObject();
    }
    w.EndArray();
    w.Key("requires");
    w.StartObject();
    put_strings(w, "bins", wf.requirements.bins);
    put_strings(w, "env", wf.requirements.env);
    w.EndObject();
    put(w, "error_handling", wf.error_handling);
    put_map(w, "example_inputs", wf.example_inputs);
    w.Key("notes");
    w.StartArray();
    for (const auto& n : wf.notes) {
        w.StartObject();
        put(w, "title", n.title);
        put(w, "text", n.text);
        put(w, "line", n.pos.line);
        w.EndObject();
    }
    w.EndArray();
    w.Key("service");
    w.StartObject();
    put(w, "port", m.service.port);
    put(w, "run_hook", m.service.run_hook);
    put(w, "status_hook", m.service.status_hook);
    put(w, "approve_hook", m.service.approve_hook);
    put(w, "health_hook", m.service.health_hook);
    put(w, "runs_hook", m.service.runs_hook);
    put(w, "metrics_hook", m.service.metrics_hook);
    w.EndObject();
    w.EndObject();
    std::string out(buffer.GetString(), buffer.GetSize());
    out += '\n';
    return out;
}

// --- Reading -----------------------------------------------------------------------------------------

namespace {

using Value = rapidjson::Value;

// Reads fields of one JSON object, remembering the first problem so callers can read many fields and
// check once. `where` is the field path used in messages ("steps[2]").
class ObjectReader {
  public:
    ObjectReader(const Value& v, std::string where, std::string* problem)
        : v_(v), where_(std::move(where)), problem_(problem) {
        if (!v.IsObject()) fail("", "an object");
    }

    std::string str(const char* key) {
        const Value* f = field(key);
        if (f && f->IsString()) return std::string(f->GetString(), f->GetStringLength());
        if (f) fail(key, "a string");
        return {};
    }
    std::optional<std::string> optional_str(const char* key) {
        const Value* f = field(key, true);
        if (!f || f->IsNull()) return std::nullopt;
        if (f->IsString()) return std::string(f->GetString(), f->GetStringLength());
        fail(key, "a string or null");
        return std::nullopt;
    }
    int integer(const char* key) {
        const Value* f = field(key);
        if (f && f->IsInt()) return f->GetInt();
        if (f) fail(key, "an integer");
        return 0;
    }
    std::optional<int> optional_int(const char* key) {
        const Value* f = field(key, true);
        if (!f || f->IsNull()) return std::nullopt;
        if (f->IsInt()) return f->GetInt();
        fail(key, "an integer or null");
        return std::nullopt;
    }
    bool boolean(const char* key) {
        const Value* f = field(key);
        if (f && f->IsBool()) return f->GetBool();
        if (f) fail(key, "true or false");
        return false;
    }
    std::vector<std::string> strings(const char* key) {
        std::vector<std::string> out;
        const Value* f = field(key);
        if (!f) return out;
        if (!f->IsArray()) return fail(key, "an array of strings"), out;
        for (const auto& e : f->GetArray()) {
            if (!e.IsString()) return fail(key, "an array of strings"), out;
            out.emplace_back(e.GetString(), e.GetStringLength());
        }
        return out;
    }
    KeyValues map(const char* key) {
        KeyValues out;
        const Value* f = field(key);
        if (!f) return out;
        if (!f->IsObject()) return fail(key, "an object of strings"), out;
        for (const auto& m : f->GetObject()) {
            if (!m.value.IsString()) return fail(key, "an object of strings"), out;
            out.emplace_back(std::string(m.name.GetString(), m.name.GetStringLength()),
                             std::string(m.value.GetString(), m.value.GetStringLength()));
        }
        return out;
    }
    // The member `key` when it is an array, else nullptr (and a problem is recorded).
    const Value* array(const char* key) {
        const Value* f = field(key);
        if (f && !f->IsArray()) return fail(key, "an array"), nullptr;
        return f;
    }
    // The member `key` when it is an object or null; nullptr for null.
    const Value* optional_object(const char* key) {
        const Value* f = field(key, true);
        if (!f || f->IsNull()) return nullptr;
        if (!f->IsObject()) return fail(key, "an object or null"), nullptr;
        return f;
    }
    std::string path(const char* key) const { return where_.empty() ? key : where_ + "." + key; }

  private:
    const Value* field(const char* key, bool optional = false) {
        if (!v_.IsObject()) return nullptr;
        const auto it = v_.FindMember(key);
        if (it == v_.MemberEnd()) {
            if (!optional && problem_->empty()) *problem_ = fmt::format("field '{}' is missing", path(key));
            return nullptr;
        }
        return &it->value;
    }
    void fail(const char* key, const char* expected) {
        if (problem_->empty()) {
            *problem_ =
                *key ? fmt::format("field '{}' must be {}", path(key), expected)
                     : fmt::format("'{}' must be {}", where_.empty() ? "the document" : where_, expected);
        }
    }

    const Value& v_;
    std::string where_;
    std::string* problem_;
};

template <class E>
E parse_enum(const std::string& text, std::initializer_list<E> all, std::string_view (*name)(E),
             const std::string& where, std::string* problem) {
    for (const E e : all) {
        if (name(e) == text) return e;
    }
    if (problem->empty()) *problem = fmt::format("field '{}' has unknown value '{}'", where, text);
    return *all.begin();
}

std::string_view input_type_name(InputType t) {
    return to_string(t);
}
std::string_view step_kind_name(StepKind k) {
    return to_string(k);
}
std::string_view guardrail_kind_name(GuardrailKind k) {
    return to_string(k);
}
std::string_view trigger_kind_name(Trigger::Kind k) {
    return to_string(k);
}

Step read_step(const Value& v, const std::string& where, std::string* problem) {
    ObjectReader r(v, where, problem);
    Step s;
    s.id = r.str("id");
    s.number = r.integer("number");
    s.title = r.str("title");
    s.kind = parse_enum(r.str("kind"), {StepKind::command, StepKind::agent}, step_kind_name, r.path("kind"),
                        problem);
    s.description = r.str("description");
    s.instructions = r.strings("instructions");
    s.commands = r.str("commands");
    if (const Value* samples = r.array("samples")) {
        for (rapidjson::SizeType i = 0; i < samples->Size(); ++i) {
            ObjectReader sr((*samples)[i], fmt::format("{}.samples[{}]", where, i), problem);
            s.samples.push_back({sr.str("language"), sr.str("code")});
        }
    }
    s.timeout_seconds = r.optional_int("timeout_seconds");
    s.retries = r.optional_int("retries");
    s.pos.line = r.integer("line");
    return s;
}

std::vector<Step> read_steps(ObjectReader& r, const char* key, std::string* problem) {
    std::vector<Step> steps;
    if (const Value* a = r.array(key)) {
        for (rapidjson::SizeType i = 0; i < a->Size(); ++i) {
            steps.push_back(read_step((*a)[i], fmt::format("{}[{}]", key, i), problem));
        }
    }
    return steps;
}

Policy read_policy(const Value& v, std::string* problem) {
    ObjectReader r(v, "policy", problem);
    Policy p;
    p.run_timeout_seconds = r.optional_int("run_timeout_seconds");
    p.step_timeout_seconds = r.optional_int("step_timeout_seconds");
    p.retries = r.integer("retries");
    p.retry_delay_seconds = r.integer("retry_delay_seconds");
    if (const Value* a = r.optional_object("approval")) {
        ObjectReader ar(*a, "policy.approval", problem);
        p.approval = Policy::Approval{ar.str("when_input"), ar.str("equals"), ar.integer("timeout_seconds")};
    }
    if (const Value* rl = r.optional_object("rate_limit")) {
        ObjectReader rr(*rl, "policy.rate_limit", problem);
        p.rate_limit =
            Policy::RateLimit{rr.integer("max_runs"), rr.integer("window_seconds"), rr.str("key_input")};
    }
    if (const Value* c = r.optional_object("concurrency")) {
        ObjectReader cr(*c, "policy.concurrency", problem);
        p.concurrency = Policy::Concurrency{cr.integer("max_runs"), cr.str("key_input")};
    }
    const auto mem = v.IsObject() ? v.FindMember("memory_limit_bytes") : v.MemberEnd();
    if (v.IsObject() && mem != v.MemberEnd() && !mem->value.IsNull()) {
        if (mem->value.IsUint64()) {
            p.memory_limit_bytes = mem->value.GetUint64();
        } else if (problem->empty()) {
            *problem = "field 'policy.memory_limit_bytes' must be an integer or null";
        }
    }
    p.auto_rollback = r.boolean("auto_rollback");
    // Added later: a skill.json written before them gets the defaults.
    p.history_days = r.optional_int("history_days").value_or(Policy{}.history_days);
    p.history_runs = r.optional_int("history_runs").value_or(Policy{}.history_runs);
    return p;
}

void read_workflow_lists(const Value& doc, Workflow& wf, std::string* problem) {
    ObjectReader r(doc, "", problem);
    if (const Value* a = r.array("inputs")) {
        for (rapidjson::SizeType i = 0; i < a->Size(); ++i) {
            ObjectReader ir((*a)[i], fmt::format("inputs[{}]", i), problem);
            Input in;
            in.name = ir.str("name");
            in.description = ir.str("description");
            in.type = parse_enum(
                ir.str("type"), {InputType::string, InputType::number, InputType::boolean, InputType::choice},
                input_type_name, ir.path("type"), problem);
            in.required = ir.boolean("required");
            in.default_value = ir.optional_str("default");
            in.choices = ir.strings("choices");
            in.secret = ir.boolean("secret");
            in.env_alias = ir.optional_str("env_alias").value_or("");
            in.pos.line = ir.integer("line");
            wf.inputs.push_back(std::move(in));
        }
    }
    if (const Value* a = r.array("outputs")) {
        for (rapidjson::SizeType i = 0; i < a->Size(); ++i) {
            ObjectReader orr((*a)[i], fmt::format("outputs[{}]", i), problem);
            Output out{orr.str("name"), orr.str("description"), {}};
            out.pos.line = orr.integer("line");
            wf.outputs.push_back(std::move(out));
        }
    }
    wf.steps = read_steps(r, "steps", problem);
    wf.rollback = read_steps(r, "rollback", problem);
    if (const Value* a = r.array("guardrails")) {
        for (rapidjson::SizeType i = 0; i < a->Size(); ++i) {
            ObjectReader gr((*a)[i], fmt::format("guardrails[{}]", i), problem);
            Guardrail g;
            g.text = gr.str("text");
            g.kind =
                parse_enum(gr.str("kind"),
                           {GuardrailKind::run_timeout, GuardrailKind::step_timeout, GuardrailKind::approval,
                            GuardrailKind::rate_limit, GuardrailKind::retries, GuardrailKind::concurrency,
                            GuardrailKind::memory_limit, GuardrailKind::auto_rollback,
                            GuardrailKind::history_retention, GuardrailKind::advisory},
                           guardrail_kind_name, gr.path("kind"), problem);
            g.enforced = gr.boolean("enforced");
            g.interpretation = gr.str("interpretation");
            g.pos.line = gr.integer("line");
            wf.guardrails.push_back(std::move(g));
        }
    }
    if (const Value* a = r.array("triggers")) {
        for (rapidjson::SizeType i = 0; i < a->Size(); ++i) {
            ObjectReader tr((*a)[i], fmt::format("triggers[{}]", i), problem);
            Trigger t;
            t.kind = parse_enum(tr.str("kind"), {Trigger::Kind::http, Trigger::Kind::cron}, trigger_kind_name,
                                tr.path("kind"), problem);
            if (t.kind == Trigger::Kind::cron) {
                t.schedule = tr.str("schedule");
                t.written = tr.str("written");
                t.inputs = tr.map("inputs");
            }
            t.pos.line = tr.integer("line");
            wf.triggers.push_back(std::move(t));
        }
    }
    if (const Value* a = r.array("notes")) {
        for (rapidjson::SizeType i = 0; i < a->Size(); ++i) {
            ObjectReader nr((*a)[i], fmt::format("notes[{}]", i), problem);
            Note n{nr.str("title"), nr.str("text"), {}};
            n.pos.line = nr.integer("line");
            wf.notes.push_back(std::move(n));
        }
    }
}

}  // namespace

Result<Manifest> read_manifest(std::string_view json, std::string_view origin) {
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());
    if (doc.HasParseError()) {
        return Error{ExitCode::data_error,
                     fmt::format("{}: invalid JSON at byte offset {}: {}", origin, doc.GetErrorOffset(),
                                 rapidjson::GetParseError_En(doc.GetParseError()))};
    }
    std::string problem;
    ObjectReader r(doc, "", &problem);
    Manifest m;
    m.schema_version = r.integer("schema_version");
    if (problem.empty() && m.schema_version != kManifestSchemaVersion) {
        return Error{ExitCode::data_error,
                     fmt::format("{}: schema_version {} is not supported (this tool reads version {}); "
                                 "recompile the workflow with this version of compile",
                                 origin, m.schema_version, kManifestSchemaVersion)};
    }
    Workflow& wf = m.workflow;
    wf.name = r.str("name");
    wf.title = r.str("title");
    wf.description = r.str("description");
    m.version = r.str("version");
    if (const Value* c = r.optional_object("compiler")) {
        ObjectReader cr(*c, "compiler", &problem);
        m.compiler_name = cr.str("name");
        m.compiler_version = cr.str("version");
    } else if (problem.empty()) {
        problem = "field 'compiler' is missing";
    }
    if (const Value* s = r.optional_object("source")) {
        ObjectReader sr(*s, "source", &problem);
        m.source_path = sr.str("path");
        m.source_sha256 = sr.str("sha256");
    } else if (problem.empty()) {
        problem = "field 'source' is missing";
    }
    read_workflow_lists(doc, wf, &problem);
    if (const Value* p = r.optional_object("policy")) {
        wf.policy = read_policy(*p, &problem);
    } else if (problem.empty()) {
        problem = "field 'policy' is missing";
    }
    if (const Value* q = r.optional_object("requires")) {
        ObjectReader qr(*q, "requires", &problem);
        wf.requirements.bins = qr.strings("bins");
        wf.requirements.env = qr.strings("env");
    }
    wf.error_handling = r.str("error_handling");
    wf.example_inputs = r.map("example_inputs");
    if (const Value* s = r.optional_object("service")) {
        ObjectReader sr(*s, "service", &problem);
        m.service.port = sr.integer("port");
        m.service.run_hook = sr.str("run_hook");
        m.service.status_hook = sr.str("status_hook");
        m.service.approve_hook = sr.str("approve_hook");
        m.service.health_hook = sr.str("health_hook");
        // Added later: a skill.json written before them gets the defaults.
        m.service.runs_hook = sr.optional_str("runs_hook").value_or(ServiceInfo{}.runs_hook);
        m.service.metrics_hook = sr.optional_str("metrics_hook").value_or(ServiceInfo{}.metrics_hook);
    } else if (problem.empty()) {
        problem = "field 'service' is missing";
    }
    if (!problem.empty()) return Error{ExitCode::data_error, fmt::format("{}: {}", origin, problem)};
    if (m.compiler_name != kCompilerName) {
        return Error{ExitCode::data_error, fmt::format("{}: not written by {} (compiler.name is '{}')",
                                                       origin, kCompilerName, m.compiler_name)};
    }
    return m;
}

Result<Manifest> load_manifest(const std::string& skill_dir) {
    const std::string path = skill_dir + "/" + std::string(kManifestFile);
    auto text = read_file(path, 64 * 1024 * 1024);
    if (!text) {
        if (text.error().code == ExitCode::no_input) {
            return Error{ExitCode::no_input,
                         fmt::format("'{}' is not a compiled skill: {}", skill_dir, text.error().message)};
        }
        return text.error();
    }
    return read_manifest(*text, path);
}

}  // namespace df
