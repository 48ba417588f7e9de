// `compile --edit DIR` hands over to the builder program, df-compile-edit, so that its HTTP library is
// loaded only by the builder and never by the compiles that run a thousand times a day.
#pragma once

#include <iosfwd>
#include <string>

#include "common/error.h"

namespace df::compiler {

// Execs df-compile-edit (next to this program, or in ../libexec/dark-factory-engine/) with `argv0` as its
// name and DIR; returns only when that fails, with the error reported on `err`.
ExitCode exec_builder(const std::string& dir, const char* argv0, std::ostream& err);

}  // namespace df::compiler
