#include "monitor/status.h"

namespace df::monitor {

Health classify_status(std::string_view status) {
    const auto colon = status.find(':');
    const std::string_view state = status.substr(0, colon);
    const std::string_view health = colon == std::string_view::npos ? "" : status.substr(colon + 1);
    if (state == "running") {
        if (health == "healthy") return Health::healthy;
        if (health == "unhealthy") return Health::unhealthy;
        return Health::unchecked;
    }
    if (state == "starting") return Health::starting;
    if (state == "restarting") return Health::restarting;
    if (state == "degraded") return Health::degraded;
    if (state == "exited") return Health::exited;
    if (state == "paused") return Health::paused;
    return Health::unknown;
}

bool is_ok(Health health) {
    return health == Health::healthy || health == Health::unchecked;
}

std::string_view health_name(Health health) {
    switch (health) {
        case Health::healthy:
            return "healthy";
        case Health::unchecked:
            return "unchecked";
        case Health::starting:
            return "starting";
        case Health::unhealthy:
            return "unhealthy";
        case Health::restarting:
            return "restarting";
        case Health::degraded:
            return "degraded";
        case Health::exited:
            return "exited";
        case Health::paused:
            return "paused";
        case Health::missing:
            return "missing";
        case Health::unknown:
            return "unknown";
    }
    return "unknown";
}

Tone health_tone(Health health) {
    switch (health) {
        case Health::healthy:
            return Tone::good;
        case Health::unchecked:
        case Health::starting:
        case Health::paused:
            return Tone::warn;
        case Health::unknown:
            return Tone::warn;
        default:
            return Tone::bad;
    }
}

}  // namespace df::monitor
