// Timestamps as Coolify and the registry write them (ISO-8601, UTC) and as people read them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace df::monitor {

// Seconds since the epoch for "2026-08-22T10:00:00.000000Z", "2026-08-22T10:00:00Z", "2026-08-22 10:00:00"
// or with a "+02:00" offset; nullopt when it is not such a timestamp.
std::optional<std::int64_t> parse_timestamp(std::string_view text);

// "45s", "3m 12s", "2h 05m", "3d 4h". Negative durations print as "0s".
std::string format_duration(std::int64_t seconds);

// "2026-08-22 10:00:00" (UTC, seconds precision) for a parsable timestamp; the input unchanged otherwise.
std::string format_timestamp(std::string_view text);

}  // namespace df::monitor
