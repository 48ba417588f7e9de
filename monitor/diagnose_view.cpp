// `monitor NAME --diagnose [RUN_ID]`: gathers the evidence (diagnose.cpp builds the prompt), asks the
// Gateway once and prints the answer.
#include <ostream>

#include <fmt/format.h>

#include "common/files.h"
#include "common/json.h"
#include "common/text.h"
#include "monitor/diagnose.h"
#include "monitor/json.h"
#include "monitor/service_client.h"
#include "monitor/service_views.h"
#include "monitor/session.h"

namespace df::monitor {

namespace {

constexpr const char* kFailedStatuses = "failed,timed_out,rolled_back,rollback_failed,interrupted";

struct Gateway {
    std::string url, token, agent;
};

Result<Gateway> gateway_from(const EnvLookup& env) {
    Gateway g{env("OPENCLAW_GATEWAY_URL").value_or(""), env("OPENCLAW_GATEWAY_TOKEN").value_or(""),
              env("OPENCLAW_AGENT").value_or("main")};
    if (g.url.rfind("http://", 0) != 0 && g.url.rfind("https://", 0) != 0)
        return Error{ExitCode::config,
                     "--diagnose asks the OpenClaw Gateway: set OPENCLAW_GATEWAY_URL (an http:// "
                     "or https:// URL) and OPENCLAW_GATEWAY_TOKEN, as for agent steps"};
    while (!g.url.empty() && g.url.back() == '/') g.url.pop_back();
    return g;
}

// One POST to the chat endpoint: never re-sent (the agent may have acted on it).
Result<std::string> ask_gateway(const Gateway& g, const DiagnoseInput& in, const std::string& prompt,
                                World& world) {
    http::Options o;
    o.connect_timeout = http::Millis(10'000);
    o.total_timeout = http::Millis(300'000);
    o.low_speed_window = std::chrono::seconds(300);  // an agent thinks before it answers
    o.max_attempts = 1;
    o.secrets = {g.token};
    o.cancel = world.cancel;
    http::Client client(o, world.transport, world.clock);
    const std::string body = fmt::format(
        R"({{"model":{},"user":{},"stream":false,"messages":[{{"role":"system","content":{}}},{{"role":"user","content":{}}}]}})",
        json::quote("openclaw:" + g.agent), json::quote("dark-factory:monitor:" + in.skill + ":" + in.run_id),
        json::quote(
            "You are the Dark Factory meta-agent: you explain why an automated workflow run failed and "
            "propose the smallest fix. Never ask for or reveal secrets."),
        json::quote(prompt));
    http::Headers headers{{"Content-Type", "application/json"}, {"x-openclaw-agent-id", g.agent}};
    if (!g.token.empty()) headers.emplace_back("Authorization", "Bearer " + g.token);
    auto r = client.send(http::Request{"POST", g.url + "/v1/chat/completions", headers, body});
    if (!r) return r.error();
    if (r->status == 401 || r->status == 403)
        return Error{ExitCode::no_permission,
                     fmt::format("the Gateway refused the request (HTTP {}): check OPENCLAW_GATEWAY_TOKEN",
                                 r->status)};
    if (r->status != 200)
        return Error{ExitCode::unavailable, fmt::format("the Gateway answered HTTP {}", r->status)};
    auto doc = json::parse(r->body, "the Gateway's answer", ExitCode::protocol);
    if (!doc) return doc.error();
    const auto* choices = doc->IsObject() ? json::member(*doc, "choices") : nullptr;
    if (!choices || !choices->IsArray() || choices->Empty() || !(*choices)[0].IsObject())
        return Error{ExitCode::protocol, "the Gateway's answer has no choices[0].message.content"};
    const auto* message = json::member((*choices)[0], "message");
    if (!message || !message->IsObject())
        return Error{ExitCode::protocol, "the Gateway's answer has no message"};
    return json::str(*message, "content");
}

// The evidence monitor has locally: the skill folder (optional), the registry's deployments, the secrets.
void add_local_evidence(const Options& options, const Config& config, const SkillRecord& record,
                        DiagnoseInput& in) {
    if (!options.skill_dir.empty()) {
        if (auto m = load_manifest(options.skill_dir)) {
            if (auto text = read_file(options.skill_dir + "/" + m->source_path, 1 << 20))
                in.workflow_text = *text;
            in.manifest = std::move(*m);
        }
    }
    for (auto it = record.history.rbegin();
         it != record.history.rend() && in.deployments.size() < kDiagnoseDeployments; ++it)
        in.deployments.push_back(*it);
    if (auto text = read_file(config.secrets_dir.value + "/" + in.skill + ".env", 1 << 16)) {
        for (auto line : split(*text, '\n')) {
            if (const auto eq = line.find('='); eq != std::string_view::npos)
                in.secrets.emplace_back(trim(line.substr(eq + 1)));
        }
    }
    in.secrets.push_back(config.token.value);
}

std::string diagnosis_json(const DiagnoseInput& in, const Gateway& g, const std::string& prompt,
                           const Diagnosis& d) {
    JsonOut j;
    j.begin_object().field("skill", in.skill).field("run_id", in.run_id).field("agent", g.agent);
    j.field("diagnosis", d.text).field_or_null("diff", d.diff).field("prompt", prompt).end_object();
    return j.str();
}

}  // namespace

ExitCode diagnose_view(const Options& options, World& world, std::ostream& out, std::ostream& err) {
    auto gateway = gateway_from(world.env);
    if (!gateway) return report(err, gateway.error());
    auto flags = config_flags_from(options);
    auto config = flags ? resolve_config(*flags, world.env) : Result<Config>(flags.error());
    if (!config) return report(err, config.error());
    auto registry = load_registry(config->registry.value);
    if (!registry) return report(err, registry.error());
    DiagnoseInput in;
    in.skill = options.name.rfind(kAppPrefix, 0) == 0 ? options.name.substr(kAppPrefix.size()) : options.name;
    const auto it = registry->skills.find(in.skill);
    if (it == registry->skills.end())
        return report(err, Error{ExitCode::failed, fmt::format("the registry {} has no skill {}",
                                                               config->registry.value, in.skill)});
    auto target = service_target(in.skill, it->second, config->secrets_dir.value, config->insecure_http);
    if (!target) return report(err, target.error());
    ServiceClient client(service_http_options(config->ca_file.value, world.cancel), world.transport,
                         world.clock);
    in.run_id = options.run_id;
    if (in.run_id.empty()) {
        auto page = client.runs(*target, RunsQuery{kFailedStatuses, "", "", 1});
        if (!page) return report(err, page.error());
        if (page->runs.empty())
            return report(err,
                          Error{ExitCode::failed, fmt::format("{} has no failed run to diagnose", in.skill)});
        in.run_id = page->runs.front().run_id;
    }
    auto record = client.run_record(*target, in.run_id);
    if (!record) return report(err, record.error());
    in.record_json = std::move(*record);
    // The log is evidence, not a precondition: without it the prompt says why and the agent still answers.
    if (auto tail = client.run_log_tail(*target, in.run_id, kDiagnoseLogLines); !tail)
        in.log_note = "The service's log could not be read: " + tail.error().message;
    else if (!tail->kept)
        in.log_note =
            "The service kept no log for this run (a run started in the foreground logs to its caller).";
    else
        in.log_tail = (tail->truncated ? "[earlier lines left out]\n" : "") + tail->text;
    add_local_evidence(options, *config, it->second, in);
    in.secrets.push_back(gateway->token);
    const std::string prompt = diagnose_prompt(in);
    auto reply = ask_gateway(*gateway, in, prompt, world);
    if (!reply) return report(err, reply.error());
    const Diagnosis d = parse_diagnosis(mask_secrets(*reply, in.secrets));
    if (options.json) {
        out << diagnosis_json(in, *gateway, prompt, d);
        return ExitCode::ok;
    }
    out << fmt::format("Diagnosis of {} run {} (agent {}):\n\n{}\n", in.skill, in.run_id, gateway->agent,
                       trim(d.text));
    if (!d.diff.empty()) out << "\nProposed fix (unified diff):\n" << d.diff;
    return ExitCode::ok;
}

}  // namespace df::monitor
