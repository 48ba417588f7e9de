// The builder's routes: the embedded page and the JSON API (docs/builder.md lists them). Every handler turns
// a request into one Workspace or markdown_edit call and its result into JSON; an error becomes
// {"error": "…"} with a status that says what kind it is (400, 404, 409, 500).
#pragma once

#include <httplib.h>

#include "compiler/builder/workspace.h"

namespace df::compiler::builder {

void add_routes(httplib::Server& server, Workspace& workspace);

}  // namespace df::compiler::builder
