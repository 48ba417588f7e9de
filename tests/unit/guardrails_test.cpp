// Guardrail recognition: each phrasing becomes an enforced policy with its parameters, or stays advice.
#include <tuple>

#include <catch2/catch.hpp>

#include "compiler/parse_support.h"
#include "tests/unit/support.h"

using namespace df;
using df::test::parse;
using df::test::workflow;

namespace {

const std::string kInputs =
    "## Inputs\n- `service_name`: Service\n- `git_repo`: Repository\n"
    "- `environment`: staging | production (default: staging)\n\n";

// Parses one guardrail line against inputs that the phrasings refer to.
test::Parsed guard(const std::string& line) {
    return parse(workflow(kInputs + "## Guardrails\n- " + line + "\n"));
}

const Guardrail& only(const test::Parsed& p) {
    INFO(p.rendered());
    REQUIRE(p.wf.guardrails.size() == 1);
    return p.wf.guardrails[0];
}

}  // namespace

TEST_CASE("timeouts: whole run and per step") {
    for (const auto& [line, seconds] :
         std::vector<std::pair<std::string, int>>{{"Max deployment time: 10 minutes", 600},
                                                  {"Timeout: 1 hour", 3600},
                                                  {"Must finish within 90s", 90},
                                                  {"The run takes no longer than 1.5 hours", 5400}}) {
        INFO(line);
        const auto p = guard(line);
        const Guardrail& g = only(p);
        CHECK(g.enforced);
        CHECK(g.kind == GuardrailKind::run_timeout);
        CHECK(p.wf.policy.run_timeout_seconds == seconds);
        CHECK(g.interpretation.find("the whole run is stopped after") == 0);
    }
    for (const std::string line :
         {"Each step times out after 20 minutes", "Step timeout: 20 minutes", "Max 20 minutes per step"}) {
        INFO(line);
        const auto p = guard(line);
        CHECK(only(p).kind == GuardrailKind::step_timeout);
        CHECK(p.wf.policy.step_timeout_seconds == 1200);
        CHECK_FALSE(p.wf.policy.run_timeout_seconds);
    }
}

TEST_CASE("approval: with a condition on an input, or for every run") {
    for (const std::string line : {"Requires manual approval for production",
                                   "Requires approval when environment "
                                   "is production",
                                   "Production deploys need sign-off in production"}) {
        INFO(line);
        const auto p = guard(line);
        CHECK(only(p).kind == GuardrailKind::approval);
        REQUIRE(p.wf.policy.approval);
        CHECK(p.wf.policy.approval->when_input == "environment");
        CHECK(p.wf.policy.approval->equals == "production");
        CHECK(p.wf.policy.approval->timeout_seconds == 3600);
    }
    const auto every = guard("Every run requires approval within 2 hours");
    REQUIRE(every.wf.policy.approval);
    CHECK(every.wf.policy.approval->when_input.empty());
    CHECK(every.wf.policy.approval->timeout_seconds == 7200);
    CHECK(only(every).interpretation.find("every run waits for approval") == 0);

    const auto never = guard("Requires approval when environment is moon");
    CHECK(never.has_warning("the approval condition 'environment is moon' can never hold"));
    const auto nobody = guard("Requires approval for mars");
    CHECK(nobody.has_warning("the approval condition 'mars' matches no input"));
}

TEST_CASE("rate limits: N per window, keyed by an input") {
    const auto p = guard("Maximum 5 deployments per hour per service");
    CHECK(only(p).kind == GuardrailKind::rate_limit);
    REQUIRE(p.wf.policy.rate_limit);
    CHECK(p.wf.policy.rate_limit->max_runs == 5);
    CHECK(p.wf.policy.rate_limit->window_seconds == 3600);
    CHECK(p.wf.policy.rate_limit->key_input == "service_name");

    const auto q = guard("At most ten scans every 15 minutes per repository");
    REQUIRE(q.wf.policy.rate_limit);
    CHECK(q.wf.policy.rate_limit->max_runs == 10);
    CHECK(q.wf.policy.rate_limit->window_seconds == 900);
    CHECK(q.wf.policy.rate_limit->key_input == "git_repo");

    const auto r = guard("No more than 3 runs a day per planet");
    REQUIRE(r.wf.policy.rate_limit);
    CHECK(r.wf.policy.rate_limit->window_seconds == 86400);
    CHECK(r.wf.policy.rate_limit->key_input.empty());
    CHECK(r.has_warning("'per planet' matches no input"));
}

TEST_CASE("concurrency: one at a time, or N, keyed by an input") {
    const auto one = guard("Only one run at a time");
    CHECK(only(one).kind == GuardrailKind::concurrency);
    REQUIRE(one.wf.policy.concurrency);
    CHECK(one.wf.policy.concurrency->max_runs == 1);
    const auto two = guard("At most 2 runs at a time per repository");
    REQUIRE(two.wf.policy.concurrency);
    CHECK(two.wf.policy.concurrency->max_runs == 2);
    CHECK(two.wf.policy.concurrency->key_input == "git_repo");
    const auto never = guard("Never run concurrently per service");
    REQUIRE(never.wf.policy.concurrency);
    CHECK(never.wf.policy.concurrency->max_runs == 1);
    CHECK(never.wf.policy.concurrency->key_input == "service_name");
}

TEST_CASE("retries, with a delay, and no retries") {
    const auto p = guard("Retry failed steps up to 3 times, 30 seconds apart");
    CHECK(only(p).kind == GuardrailKind::retries);
    CHECK(p.wf.policy.retries == 3);
    CHECK(p.wf.policy.retry_delay_seconds == 30);
    CHECK(guard("Retry twice").wf.policy.retries == 2);
    const auto none = guard("Do not retry failed steps");
    CHECK(only(none).kind == GuardrailKind::retries);
    CHECK(none.wf.policy.retries == 0);
}

TEST_CASE("memory limits in the units people write") {
    for (const auto& [line, bytes] :
         std::vector<std::pair<std::string, std::uint64_t>>{{"Memory limit: 512 MB", 512000000},
                                                            {"Max memory 1GiB", 1ULL << 30},
                                                            {"Use at most 256M of RAM", 256ULL << 20}}) {
        INFO(line);
        const auto p = guard(line);
        CHECK(only(p).kind == GuardrailKind::memory_limit);
        CHECK(p.wf.policy.memory_limit_bytes == bytes);
    }
}

TEST_CASE("auto-rollback, and the warning when there is nothing to roll back") {
    const auto p = guard("Auto-rollback on failure");
    CHECK(only(p).kind == GuardrailKind::auto_rollback);
    CHECK(p.wf.policy.auto_rollback);
    CHECK(p.has_warning("auto-rollback is on but there is no `## Rollback` section"));
    const auto manual = guard("Manual rollback only, never automatic");
    CHECK(only(manual).kind == GuardrailKind::advisory);
    CHECK_FALSE(manual.wf.policy.auto_rollback);
}

TEST_CASE("run history retention: days, a number of runs, the defaults, and lines that are not about it") {
    const Policy defaults;
    CHECK(defaults.history_days == 30);
    CHECK(defaults.history_runs == 1000);
    for (const auto& [line, days, runs] : std::vector<std::tuple<std::string, int, int>>{
             {"Keep run history for 30 days", 30, 1000},
             {"Keep run history for 90 days", 90, 1000},
             {"Delete run records after 2 weeks", 14, 1000},
             {"Keep run history for 3 years", 1095, 1000},
             {"Keep run history for 18 months", 540, 1000},
             {"Keep run history for a year", 365, 1000},
             {"Delete run records after 48 hours", 2, 1000},
             {"Keep the last 500 runs", 30, 500},
             {"Retain the run history of the last 200 runs for 7 days", 7, 200}}) {
        INFO(line);
        const auto p = guard(line);
        CHECK(only(p).kind == GuardrailKind::history_retention);
        CHECK(only(p).enforced);
        CHECK(p.wf.policy.history_days == days);
        CHECK(p.wf.policy.history_runs == runs);
    }
    for (const std::string line :
         {"Keep the deployment history readable", "Delete temporary files after each run",
          "Keep the last 0 runs", "Keep run history for 200 years", "Max deployment time: 10 minutes"}) {
        INFO(line);
        const auto p = guard(line);
        CHECK(only(p).kind != GuardrailKind::history_retention);
        CHECK(p.wf.policy.history_days == 30);
        CHECK(p.wf.policy.history_runs == 1000);
    }
}

TEST_CASE("everything else is advice, passed on verbatim; each line keeps its position") {
    const auto p =
        parse(workflow(kInputs + "## Guardrails\n- Never print secrets\n- Be *polite* to `users`\n\n"
                                 "Prose line one\nProse line two\n"));
    INFO(p.rendered());
    REQUIRE(p.wf.guardrails.size() == 4);
    for (const auto& g : p.wf.guardrails) {
        CHECK_FALSE(g.enforced);
        CHECK(g.kind == GuardrailKind::advisory);
        CHECK(g.interpretation == "advice for the agent, passed on as written");
    }
    CHECK(p.wf.guardrails[1].text == "Be polite to users");
    CHECK(p.wf.guardrails[0].pos.line == 12);
    CHECK(p.wf.guardrails[3].text == "Prose line two");
    CHECK(p.wf.guardrails[3].pos.line == 16);
    // A very long line is prose even when it mentions a timeout.
    CHECK_FALSE(only(guard("Timeout: 5 minutes " + std::string(400, 'x'))).enforced);
}

TEST_CASE("a second guardrail of the same kind replaces the first, with a warning") {
    const auto p = parse(workflow("## Guardrails\n- Timeout: 5 minutes\n- Timeout: 10 minutes\n"));
    CHECK(p.wf.policy.run_timeout_seconds == 600);
    CHECK(p.has_warning("a second run timeout guardrail"));
}

TEST_CASE("durations, sizes and counts as people write them") {
    using compiler::find_count;
    using compiler::find_duration_seconds;
    using compiler::find_size_bytes;
    CHECK(find_duration_seconds("an hour")->value == 3600);
    CHECK(find_duration_seconds("10m")->value == 600);
    CHECK(find_duration_seconds("2 days")->value == 172800);
    CHECK_FALSE(find_duration_seconds("a m"));
    CHECK_FALSE(find_duration_seconds("1000 weeks"));  // over a year is not a timeout
    CHECK(find_size_bytes("2 gb")->value == 2000000000);
    CHECK(find_size_bytes("64 kib")->value == 65536);
    CHECK_FALSE(find_size_bytes("many mb"));
    // Rounded to the nearest whole unit, halves up, like std::llround.
    CHECK(find_duration_seconds("2.5 s")->value == 3);
    CHECK(find_duration_seconds("2.49 s")->value == 2);
    CHECK(find_duration_seconds("1.0001 minutes")->value == 60);
    CHECK(find_size_bytes("1.5 b")->value == 2);
    CHECK(find_size_bytes("0.0015 kb")->value == 2);
    CHECK(find_count("twice a day")->value == 2);
    CHECK(find_count("five runs")->value == 5);
    CHECK(compiler::describe_seconds(5400) == "5400 s (90 minutes)");
    CHECK(compiler::describe_bytes(512ULL << 20) == "512 MiB");
}
