// Coolify's application status string ("<state>:<health>", reference/coolify.md §2.12) read as one verdict.
#pragma once

#include <string_view>

#include "monitor/style.h"

namespace df::monitor {

enum class Health {
    healthy,     // running:healthy
    unchecked,   // running:unknown — up, Coolify has no health check to ask
    starting,    // starting:* — a deployment or restart is under way
    unhealthy,   // running:unhealthy — up, health check failing
    restarting,  // restarting:*
    degraded,    // degraded:* — crash loop, partly exited
    exited,      // exited:* — stopped or never started
    paused,      // paused:*
    missing,     // in the registry, but Coolify has no such app
    unknown,     // a status string we do not recognise
};

Health classify_status(std::string_view status);

// The verdict `--check` uses: healthy and unchecked pass, everything else is a problem.
bool is_ok(Health health);

// Stable lower-case name for JSON and messages ("healthy", "unhealthy", ...).
std::string_view health_name(Health health);

Tone health_tone(Health health);

}  // namespace df::monitor
