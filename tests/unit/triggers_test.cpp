// Triggers: cron schedules validated field by field (and normalised for busybox crond), http always on.
#include <catch2/catch.hpp>

#include "compiler/parse_support.h"
#include "tests/unit/support.h"

using namespace df;
using compiler::normalize_cron;
using df::test::parse;
using df::test::workflow;

TEST_CASE("good cron expressions are accepted and normalised to numbers") {
    for (const auto& [written, schedule] :
         std::vector<std::pair<std::string, std::string>>{{"0 3 * * *", "0 3 * * *"},
                                                          {"*/15 * * * *", "*/15 * * * *"},
                                                          {"0 9-17/2 * * MON-FRI", "0 9-17/2 * * 1-5"},
                                                          {"30 4 1,15 jan,Jul *", "30 4 1,15 1,7 *"},
                                                          {"0 0 * * 7", "0 0 * * 0"},
                                                          {"0 0 * * 5-7", "0 0 * * 5,6,0"},
                                                          {"  0\t12  *  * sun ", "0 12 * * 0"},
                                                          {"@daily", "0 0 * * *"},
                                                          {"@HOURLY", "0 * * * *"},
                                                          {"@weekly", "0 0 * * 0"},
                                                          {"@monthly", "0 0 1 * *"},
                                                          {"@yearly", "0 0 1 1 *"},
                                                          {"@annually", "0 0 1 1 *"},
                                                          {"@midnight", "0 0 * * *"}}) {
        INFO(written);
        const auto r = normalize_cron(written);
        CHECK(r.error.empty());
        CHECK(r.schedule == schedule);
    }
}

TEST_CASE("bad cron expressions name the field and the problem") {
    for (const auto& [written, error] : std::vector<std::pair<std::string, std::string>>{
             {"60 * * * *", "field 1 (minute): '60' is out of range 0-59"},
             {"0 24 * * *", "field 2 (hour): '24' is out of range 0-23"},
             {"0 0 0 * *", "field 3 (day of month): '0' is out of range 1-31"},
             {"0 0 * 13 *", "field 4 (month): '13' is out of range 1-12"},
             {"0 0 * * 8", "field 5 (day of week): '8' is out of range 0-7"},
             {"5-1 * * * *", "field 1 (minute): range '5-1' runs backwards"},
             {"*/0 * * * *", "field 1 (minute): step '0' must be a number from 1 to 59"},
             {"5/10 * * * *", "needs a range or '*' before the step"},
             {"0 0 * * funday", "field 5 (day of week): cannot read 'funday'"},
             {"* * * *", "it has 4 fields; cron needs five"},
             {"0 * * * * *",
              "it has 6 fields; cron needs five (minute hour day-of-month month day-of-week), and "
              "seconds are not supported"},
             {"", "it has 0 fields"},
             {"@reboot", "'@reboot' is not supported"},
             {"1,,2 * * * *", "field 1 (minute): cannot read ''"}}) {
        INFO(written);
        const auto r = normalize_cron(written);
        CHECK(r.schedule.empty());
        CHECK(r.error.find(error) != std::string::npos);
    }
}

TEST_CASE("the Triggers section: http, cron with inputs, written in the usual ways") {
    const auto p = parse(
        workflow("## Inputs\n- `git_repo` (required): Repository\n- `branch`: Branch (default: main)\n\n"
                 "## Triggers\n- http\n"
                 "- cron: 0 2 * * * (git_repo=https://x.example/a.git, branch=dev)\n"
                 "- cron: `30 1 * * MON` with git_repo=\"q r\"\n"
                 "- schedule: @daily\n"
                 "  - git_repo: https://y.example/b.git\n"));
    INFO(p.rendered());
    REQUIRE(p.ok());
    REQUIRE(p.wf.triggers.size() == 4);
    CHECK(p.wf.triggers[0].kind == Trigger::Kind::http);
    const Trigger& a = p.wf.triggers[1];
    CHECK(a.kind == Trigger::Kind::cron);
    CHECK(a.schedule == "0 2 * * *");
    CHECK(a.inputs == KeyValues{{"git_repo", "https://x.example/a.git"}, {"branch", "dev"}});
    CHECK(a.pos.line == 12);
    CHECK(p.wf.triggers[2].schedule == "30 1 * * 1");
    CHECK(p.wf.triggers[2].written == "30 1 * * MON");
    CHECK(p.wf.triggers[2].inputs == KeyValues{{"git_repo", "q r"}});
    CHECK(p.wf.triggers[3].schedule == "0 0 * * *");
    CHECK(p.wf.triggers[3].inputs == KeyValues{{"git_repo", "https://y.example/b.git"}});
}

TEST_CASE("without a Triggers section the workflow still has its HTTP trigger") {
    const auto p = parse(workflow(""));
    REQUIRE(p.wf.triggers.size() == 1);
    CHECK(p.wf.triggers[0].kind == Trigger::Kind::http);
}

TEST_CASE("cron triggers: bad schedules, unknown inputs, missing required inputs, unknown kinds") {
    const auto p =
        parse(workflow("## Inputs\n- `target` (required): Where\n\n"
                       "## Triggers\n- cron: 61 * * * * with target=a\n- cron: 0 1 * * * with nope=1\n"
                       "- cron: 0 2 * * *\n- cron: 0 3 * * * with target\n- carrier pigeon\n"));
    INFO(p.rendered());
    CHECK(p.find("invalid cron schedule '61 * * * *': field 1 (minute)").pos.line == 10);
    CHECK(p.has_error("the cron trigger sets 'nope', which is not an input"));
    // A required input the trigger does not give comes from the service's environment: a warning naming it.
    CHECK(p.has_warning(
        "the cron trigger does not give the required input 'target': scheduled runs read it from "
        "the service's environment, so set DF_INPUT_TARGET there (`deploy --env "
        "DF_INPUT_TARGET=VALUE`), or add `with target=value`"));
    CHECK(p.has_error("cannot read 'target' as an input of the cron trigger"));
    CHECK(p.has_warning("unknown trigger: write `- cron: 0 3 * * *` or `- http`"));
}

TEST_CASE("cron trigger inputs separated by spaces instead of commas get a warning") {
    const auto p =
        parse(workflow("## Inputs\n- `a` (required): A\n- `b`: B (default: x)\n\n"
                       "## Triggers\n- cron: 0 1 * * * with a=1 b=2\n- cron: 0 2 * * * with a=1, b=2\n"));
    INFO(p.rendered());
    CHECK(
        p.has_warning("the cron trigger gives 'a' the value '1 b=2', which contains 'b=': separate the "
                      "trigger's inputs with commas"));
    REQUIRE(p.wf.triggers.size() == 3);
    CHECK(p.wf.triggers[2].inputs == KeyValues{{"a", "1"}, {"b", "2"}});
}
