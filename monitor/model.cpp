#include "monitor/model.h"

#include "common/text.h"

namespace df::monitor {

std::string first_domain(std::string_view fqdn) {
    for (const auto part : split(fqdn, ',')) {
        const auto url = trim(part);
        if (!url.empty()) return std::string(url);
    }
    return {};
}

bool is_df_app(std::string_view name) {
    return name.size() > kAppPrefix.size() && name.starts_with(kAppPrefix);
}

}  // namespace df::monitor
