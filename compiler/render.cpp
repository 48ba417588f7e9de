#include "compiler/render.h"

#include <map>

#include <fmt/format.h>

#include "compiler/generator.h"

namespace df::compiler {

std::string render_template(std::string_view name, const kainjow::mustache::data& d) {
    // Never destroyed: the process's exit releases it without walking every parsed template.
    static auto& parsed = *new std::map<std::string, kainjow::mustache::mustache, std::less<>>;
    auto it = parsed.find(name);
    if (it == parsed.end()) {
        it = parsed.emplace(std::string(name), kainjow::mustache::mustache{std::string(embedded_file(name))})
                 .first;
    }
    kainjow::mustache::mustache& tmpl = it->second;
    // Templates are ours and tested; a broken one is a bug in this program, not a user error.
    if (!tmpl.is_valid()) return fmt::format("template {} is invalid: {}\n", name, tmpl.error_message());
    return tmpl.render(d);
}

}  // namespace df::compiler
