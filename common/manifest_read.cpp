// Reading skill.json back into the model (the writer is manifest.cpp): every field checked, the first
// problem reported with its path.
#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "common/files.h"
#include "common/manifest.h"

namespace df {

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
    // Absent (a manifest written before the field existed) or null: nullopt.
    std::optional<std::vector<std::string>> optional_strings(const char* key) {
        const Value* f = field(key, true);
        if (!f || f->IsNull()) return std::nullopt;
        return strings(key);
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
    const Value* array(const char* key, bool optional = false) {
        const Value* f = field(key, optional);
        if (f && !f->IsArray()) {
            fail(key, "an array");
            return nullptr;
        }
        return f;
    }
    // The member `key` when it is an object or null; nullptr for null.
    const Value* optional_object(const char* key) {
        const Value* f = field(key, true);
        if (!f || f->IsNull()) return nullptr;
        if (!f->IsObject()) {
            fail(key, "an object or null");
            return nullptr;
        }
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
    s.kind = parse_enum(r.str("kind"), {StepKind::command, StepKind::agent, StepKind::workflow},
                        step_kind_name, r.path("kind"), problem);
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
    s.needs = r.optional_strings("needs");
    if (const Value* u = v.IsObject() && v.HasMember("undoes") ? &v["undoes"] : nullptr; u && u->IsString()) {
        s.undoes.assign(u->GetString(), u->GetStringLength());
    }
    if (const Value* f = r.optional_object("for_each")) {
        ObjectReader fr(*f, where + ".for_each", problem);
        s.foreach_var = fr.str("variable");
        s.foreach_list = fr.str("input");
        s.continue_on_error = fr.boolean("continue_on_error");
    }
    if (const Value* a = r.optional_object("approval")) {
        ObjectReader ar(*a, where + ".approval", problem);
        s.approval = true;
        s.approvers = ar.strings("approvers");
        s.approval_timeout_seconds = ar.optional_int("timeout_seconds");
    }
    if (const Value* c = r.optional_object("if")) {
        ObjectReader cr(*c, where + ".if", problem);
        s.condition = Condition{cr.str("left"), cr.str("op") != "!=", cr.str("right")};
    }
    if (const Value* u = r.optional_object("uses")) {
        ObjectReader ur(*u, where + ".uses", problem);
        s.uses_skill = ur.str("skill");
        s.uses_source = ur.str("source");
        s.with = ur.map("with");
    }
    s.pos.line = r.integer("line");
    return s;
}

std::vector<Step> read_steps(ObjectReader& r, const char* key, std::string* problem, bool optional = false) {
    std::vector<Step> steps;
    if (const Value* a = r.array(key, optional)) {
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
    p.max_parallel_steps = r.optional_int("max_parallel_steps");
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
    // Skills compiled before `## On Failure` existed have no such list.
    wf.on_failure = read_steps(r, "on_failure", problem, true);
    if (const Value* a = r.array("guardrails")) {
        for (rapidjson::SizeType i = 0; i < a->Size(); ++i) {
            ObjectReader gr((*a)[i], fmt::format("guardrails[{}]", i), problem);
            Guardrail g;
            g.text = gr.str("text");
            g.kind = parse_enum(
                gr.str("kind"),
                {GuardrailKind::run_timeout, GuardrailKind::step_timeout, GuardrailKind::approval,
                 GuardrailKind::rate_limit, GuardrailKind::retries, GuardrailKind::concurrency,
                 GuardrailKind::parallel_steps, GuardrailKind::memory_limit, GuardrailKind::auto_rollback,
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
