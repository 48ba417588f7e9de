// Rendering the embedded mustache templates (compiler/templates/), shared by generator.cpp and service.cpp.
#pragma once

#include <string>
#include <string_view>

#include <kainjow/mustache.hpp>

namespace df::compiler {

// Renders the embedded template `name` with `d`. Each template is parsed once per process, the first time
// it is needed: compiling 1,000 workflows would otherwise parse each template 1,000 times, and `--check`
// never needs most of them.
std::string render_template(std::string_view name, const kainjow::mustache::data& d);

}  // namespace df::compiler
