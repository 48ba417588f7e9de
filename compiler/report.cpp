#include "compiler/report.h"

#include <fmt/format.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

namespace df::compiler {

std::string guardrail_report(const SourceFile& source, const Workflow& workflow) {
    std::string out;
    // Each step's kind first, so an author sees at once which steps will call a model.
    for (const auto* list : {&workflow.steps, &workflow.rollback, &workflow.on_failure}) {
        for (const auto& s : *list) {
            out += fmt::format("{}:{}: {}step {} \"{}\": {}\n", source.name(), s.pos.line,
                               list == &workflow.rollback     ? "rollback "
                               : list == &workflow.on_failure ? "on-failure "
                                                              : "",
                               s.id, s.title,
                               s.kind == StepKind::command ? "command (runs its shell blocks)"
                               : s.kind == StepKind::workflow
                                   ? fmt::format("child workflow (runs {})", s.uses_skill)
                                   : std::string("agent (an OpenClaw agent carries it out)"));
        }
    }
    for (const auto& g : workflow.guardrails) {
        out += fmt::format("{}:{}: guardrail {}{}: \"{}\" -> {}\n", source.name(), g.pos.line,
                           g.enforced ? "enforced" : "advice",
                           g.enforced ? fmt::format(" ({})", to_string(g.kind)) : std::string(), g.text,
                           g.interpretation);
    }
    return out;
}

std::string json_report(const std::vector<FileReport>& files) {
    rapidjson::StringBuffer buffer;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
    w.SetIndent(' ', 2);
    auto str = [&](std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
    std::size_t errors = 0, warnings = 0;
    w.StartObject();
    w.Key("files");
    w.StartArray();
    for (const auto& f : files) {
        w.StartObject();
        w.Key("source");
        str(f.source);
        bool ok = true;
        w.Key("diagnostics");
        w.StartArray();
        for (const auto& d : f.diagnostics) {
            (d.severity == Severity::error ? errors : warnings)++;
            ok &= d.severity != Severity::error;
            w.StartObject();
            w.Key("severity");
            str(to_string(d.severity));
            w.Key("line");
            w.Int(d.pos.line);
            w.Key("column");
            w.Int(d.pos.column);
            w.Key("message");
            str(d.message);
            w.EndObject();
        }
        w.EndArray();
        w.Key("ok");
        w.Bool(ok);
        w.Key("output");
        f.output.empty() ? w.Null() : (str(f.output), true);
        w.Key("changed");
        w.Bool(f.changed);
        w.Key("skill");
        if (f.manifest) {
            const std::string manifest = write_manifest(*f.manifest);
            w.RawValue(manifest.data(), manifest.size() - 1, rapidjson::kObjectType);
        } else {
            w.Null();
        }
        w.EndObject();
    }
    w.EndArray();
    w.Key("errors");
    w.Uint64(errors);
    w.Key("warnings");
    w.Uint64(warnings);
    w.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace df::compiler
