#include "monitor/status.h"

#include "common/coolify/coolify.h"

namespace df::monitor {

// The split and the meaning of "healthy" are Coolify's, kept once in common/coolify: monitor only names the
// other states.
Health classify_status(std::string_view status) {
    const auto app = coolify::AppState::parse(status);
    if (app.healthy()) return Health::healthy;
    if (app.up()) return app.health == "unhealthy" ? Health::unhealthy : Health::unchecked;
    if (app.state == "starting") return Health::starting;
    if (app.state == "restarting") return Health::restarting;
    if (app.state == "degraded") return Health::degraded;
    if (app.state == "exited") return Health::exited;
    if (app.state == "paused") return Health::paused;
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
