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
    if (step.needs) {
        put_strings(w, "needs", *step.needs);
    } else {
        w.Key("needs");
        w.Null();
    }
    w.Key("for_each");
    if (!step.foreach_var.empty()) {
        w.StartObject();
        put(w, "variable", step.foreach_var);
        put(w, "input", step.foreach_list);
        put(w, "continue_on_error", step.continue_on_error);
        w.EndObject();
    } else {
        w.Null();
    }
    w.Key("approval");
    if (step.approval) {
        w.StartObject();
        put_strings(w, "approvers", step.approvers);
        put(w, "timeout_seconds", step.approval_timeout_seconds);
        w.EndObject();
    } else {
        w.Null();
    }
    if (step.undoes.empty()) {
        w.Key("undoes");
        w.Null();
    } else {
        put(w, "undoes", step.undoes);
    }
    w.Key("if");
    if (step.condition) {
        w.StartObject();
        put(w, "left", step.condition->left);
        put(w, "op", std::string_view(step.condition->equals ? "==" : "!="));
        put(w, "right", step.condition->right);
        w.EndObject();
    } else {
        w.Null();
    }
    w.Key("uses");
    if (step.kind == StepKind::workflow) {
        w.StartObject();
        put(w, "skill", step.uses_skill);
        put(w, "source", step.uses_source);
        put_map(w, "with", step.with);
        w.EndObject();
    } else {
        w.Null();
    }
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
    put(w, "max_parallel_steps", p.max_parallel_steps);
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
    write_steps(w, "on_failure", wf.on_failure);
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

}  // namespace df
