// A small scanner of the variables a command step reads and assigns, so compile can say "`$db_hots` is
// not declared" before any run. It is not a shell parser: it knows quoting (single quotes, $'…', double
// quotes, backslashes), comments, $(…) and ${…} nesting and here-documents, which is what deciding "is
// this `$name` a read?" needs, and the few command words that assign (see shell_vars.cpp). Anything it does
// not understand errs on the side of silence: a missed read is a missed warning, never a wrong one.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace df::compiler {

struct VarRead {
    std::string name;
    int line = 0;    // 0-based line of the code
    int column = 0;  // 0-based byte column of the `$`
};

struct ShellVars {
    // `$name` and `${name…}` reads whose value is needed: `${name:-x}`, `${name-x}`, `${name:=x}`,
    // `${name:+x}` and `${!name}` are left out (they do not fail under `set -u` when name is unset).
    std::vector<VarRead> reads;
    // Names the code gives a value: `name=`, `name+=`, `read`, `for`/`select`, `local`/`declare`/
    // `export`/`readonly`/`typeset`, `mapfile`/`readarray`, `printf -v`, `getopts`, `let`, `(( … ))`,
    // `${name:=x}`. Positional parameters ($1, function arguments) and specials ($?, $$, $#) never count.
    std::set<std::string> assigned;
};

ShellVars scan_shell_vars(std::string_view code);

}  // namespace df::compiler
