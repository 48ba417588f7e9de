#include "monitor/evidence_view.h"

#include <ostream>

#include <fmt/format.h>

#include "common/evidence/ledger.h"
#include "common/json.h"
#include "monitor/json.h"

namespace df::monitor {
namespace {

// What a consumer of the Statement relies on (in-toto Statement v1; SLSA Build L1's required fields); empty
// when the entry has it all.
std::string statement_problem(const std::string& body) {
    auto doc = json::parse(body, "entry", ExitCode::data_error);
    if (!doc || !doc->IsObject()) return "its body is not a JSON object";
    const auto* s = json::member(*doc, "statement");
    if (!s || !s->IsObject()) return "it has no statement";
    if (json::str(*s, "_type") != "https://in-toto.io/Statement/v1")
        return "_type is not https://in-toto.io/Statement/v1";
    const auto* subject = json::member(*s, "subject");
    if (!subject || !subject->IsArray() || subject->Empty()) return "subject is not a non-empty array";
    for (const auto& d : subject->GetArray()) {
        const auto* digest = d.IsObject() ? json::member(d, "digest") : nullptr;
        if (!digest || !digest->IsObject() || digest->ObjectEmpty()) return "a subject has no digest";
    }
    if (json::str(*s, "predicateType") != "https://slsa.dev/provenance/v1")
        return "predicateType is not https://slsa.dev/provenance/v1";
    const auto* p = json::member(*s, "predicate");
    const auto* build = p && p->IsObject() ? json::member(*p, "buildDefinition") : nullptr;
    const auto* run = p && p->IsObject() ? json::member(*p, "runDetails") : nullptr;
    const auto* builder = run && run->IsObject() ? json::member(*run, "builder") : nullptr;
    if (!build || !build->IsObject() || json::str(*build, "buildType").empty() ||
        !json::member(*build, "externalParameters") || !builder || !builder->IsObject() ||
        json::str(*builder, "id").empty())
        return "the predicate lacks buildDefinition.buildType, externalParameters or runDetails.builder.id";
    return {};
}

}  // namespace

ExitCode evidence_view(const Options& options, const std::string& registry, std::ostream& out,
                       std::ostream& err) {
    const std::string path = evidence::provenance_ledger_path(registry);
    auto v = evidence::verify_ledger(path, options.evidence_key);
    if (!v)
        return report(err, Error{v.error().code,
                                 fmt::format("cannot verify the provenance ledger: {}", v.error().message)});
    for (const auto& e : v->entries) {
        if (auto why = statement_problem(e.body); !why.empty())
            v->problems.push_back(
                {e.seq, fmt::format("entry {}: not an in-toto SLSA provenance Statement: {}", e.seq, why)});
    }
    const bool good = v->problems.empty();
    if (options.json) {
        JsonOut j;
        j.begin_object().field("path", path).field("entries", static_cast<std::int64_t>(v->lines));
        j.field("signed_entries", static_cast<std::int64_t>(v->signed_entries))
            .field("key", options.evidence_key);
        j.field("verified", good).begin_array("problems");
        for (const auto& p : v->problems) j.value(fmt::format("line {}: {}", p.line, p.text));
        j.end_array().end_object();
        out << j.str();
    } else if (good) {
        out << fmt::format("{}: {} entries verified: chained{}, each an in-toto SLSA provenance Statement\n",
                           path, v->lines,
                           options.evidence_key.empty() ? " (no --key: signatures not checked)"
                                                        : ", signed by the key in " + options.evidence_key);
    }
    for (const auto& p : v->problems) report_note(err, "error", fmt::format("{}: {}", path, p.text));
    if (good) return ExitCode::ok;
    return report(err, Error{ExitCode::failed, fmt::format("{} does not verify: {} problem(s), listed above",
                                                           path, v->problems.size())});
}

}  // namespace df::monitor
