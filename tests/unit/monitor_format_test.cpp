// monitor's presentation pieces: tables, styles, status verdicts, timestamps and durations.
#include <catch2/catch.hpp>

#include "monitor/status.h"
#include "monitor/style.h"
#include "monitor/table.h"
#include "monitor/timefmt.h"

using namespace df::monitor;

TEST_CASE("monitor table: columns align and empty cells print as a dash", "[monitor]") {
    Table t{{"NAME", "STATUS", "DOMAIN"},
            {{{"a"}, {"running:healthy"}, {"https://a.example.com"}},
             {{"longer-name"}, {"exited:unhealthy"}, {""}}}};
    const std::string out = render_table(t, Style{});
    CHECK(out ==
          "NAME         STATUS            DOMAIN\n"
          "a            running:healthy   https://a.example.com\n"
          "longer-name  exited:unhealthy  -\n");
}

TEST_CASE("monitor table: symbols and colour only when the style asks", "[monitor]") {
    Table t{{"NAME", "STATUS"}, {{{"a"}, {"ok", Tone::good, true}}, {{"bb"}, {"bad", Tone::bad, true}}}};
    const std::string plain = render_table(t, Style{});
    CHECK(plain.find('\x1b') == std::string::npos);
    CHECK(plain.find("✓") == std::string::npos);
    const std::string rich = render_table(t, Style{true, true});
    CHECK(rich.find("\x1b[32m✓ ok\x1b[0m") != std::string::npos);
    CHECK(rich.find("\x1b[31m✗ bad\x1b[0m") != std::string::npos);
    // Width counts code points, not bytes or escapes: "bb" is padded like "a" plus one.
    CHECK(display_width("\x1b[31m✗ bad\x1b[0m") == 5);
}

TEST_CASE("monitor status: Coolify's status strings map to verdicts", "[monitor]") {
    CHECK(classify_status("running:healthy") == Health::healthy);
    CHECK(classify_status("running:unknown") == Health::unchecked);
    CHECK(classify_status("running:unhealthy") == Health::unhealthy);
    CHECK(classify_status("exited:unhealthy") == Health::exited);
    CHECK(classify_status("exited") == Health::exited);
    CHECK(classify_status("restarting:unknown") == Health::restarting);
    CHECK(classify_status("degraded:unhealthy") == Health::degraded);
    CHECK(classify_status("starting:unknown") == Health::starting);
    CHECK(classify_status("paused:unknown") == Health::paused);
    CHECK(classify_status("") == Health::unknown);
    // Without ':' the health reads as unhealthy, as Coolify's own accessor (and deploy) read it.
    CHECK(classify_status("running") == Health::unhealthy);
    CHECK(classify_status("weird") == Health::unknown);
    CHECK(is_ok(Health::healthy));
    CHECK(is_ok(Health::unchecked));
    CHECK_FALSE(is_ok(Health::unhealthy));
    CHECK_FALSE(is_ok(Health::missing));
    CHECK_FALSE(is_ok(Health::starting));
    CHECK(health_name(Health::missing) == "missing");
}

TEST_CASE("monitor time: ISO-8601 timestamps parse, with fractions and offsets", "[monitor]") {
    CHECK(parse_timestamp("1970-01-01T00:00:00Z") == 0);
    CHECK(parse_timestamp("2026-08-22T10:00:00.000000Z") == 1787392800);
    CHECK(parse_timestamp("2026-08-22 10:00:00") == 1787392800);
    CHECK(parse_timestamp("2026-08-22T12:00:00+02:00") == 1787392800);
    CHECK_FALSE(parse_timestamp("yesterday"));
    CHECK_FALSE(parse_timestamp("2026-13-22T10:00:00Z"));
    CHECK_FALSE(parse_timestamp("2026-08-22T10:00:00 junk"));
    CHECK(format_timestamp("2026-08-22T12:00:00.5+02:00") == "2026-08-22 10:00:00");
    CHECK(format_timestamp("not a time") == "not a time");
}

TEST_CASE("monitor time: durations read like a person wrote them", "[monitor]") {
    CHECK(format_duration(-3) == "0s");
    CHECK(format_duration(45) == "45s");
    CHECK(format_duration(192) == "3m 12s");
    CHECK(format_duration(7500) == "2h 05m");
    CHECK(format_duration(3 * 86400 + 4 * 3600) == "3d 4h");
}
