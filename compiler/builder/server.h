// `compile --edit DIR`: the builder's local web server (cpp-httplib, Debian libcpp-httplib-dev). It listens
// on 127.0.0.1 at a port the kernel picks, prints its URL with a random token (like Jupyter), serves the page
// (embedded: no network, no CDN) and the JSON API over a Workspace, and stops on SIGINT or SIGTERM.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>

#include "common/error.h"

namespace df::compiler::builder {

// 32 bytes from the kernel's CSPRNG (getrandom), as 64 hex digits.
Result<std::string> new_token();

// Equal strings, compared in time that does not depend on where they differ.
bool same_token(std::string_view a, std::string_view b);

// Whether a request's Host header names this server (127.0.0.1:PORT or localhost:PORT): a page on another
// site that rebinds its own name to 127.0.0.1 sends its own name, and is refused.
bool host_allowed(std::string_view host, int port);

// Serves DIR until SIGINT or SIGTERM; prints the URL on `out`, notes on `err`. Returns the exit code.
ExitCode serve(const std::string& dir, std::ostream& out, std::ostream& err);

}  // namespace df::compiler::builder
