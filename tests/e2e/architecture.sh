#!/usr/bin/env bash
# The dependency rules of docs/architecture.md ("Who may use what"), checked on the tree and the binaries:
# each program uses its own library and the libraries below it, never another program's code, and
# df-compile carries no network library.
source "$(dirname "$0")/lib.sh"

# allowed FOLDER: the include prefixes a source folder may use (besides the standard and system headers).
allowed() {
  case $1 in
    common) echo "common/[a-z_0-9]*\.h" ;;
    common/coolify) echo "common/[a-z_0-9]*\.h common/coolify/[a-z_0-9]*\.h" ;;
    common/evidence) echo "common/[a-z_0-9]*\.h common/evidence/[a-z_0-9]*\.h" ;;
    compiler) echo "common/[a-z_0-9]*\.h compiler/[a-z_0-9]*\.h" ;;
    compiler/builder) echo "common/[a-z_0-9]*\.h compiler/[a-z_0-9]*\.h compiler/builder/[a-z_0-9]*\.h" ;;
    deployer) echo "common/[a-z_0-9]*\.h common/coolify/[a-z_0-9]*\.h common/evidence/[a-z_0-9]*\.h deployer/.*" ;;
    monitor) echo "common/[a-z_0-9]*\.h common/coolify/[a-z_0-9]*\.h common/evidence/[a-z_0-9]*\.h monitor/.*" ;;
  esac
}

# check_folder FOLDER: every project include ("a/b.h") in FOLDER's own files matches one allowed pattern.
check_folder() {
  local folder=$1 file line target pattern ok bad=0
  for file in "$DF_SRC/$folder"/*.cpp "$DF_SRC/$folder"/*.h; do
    [[ -e $file ]] || continue
    while IFS= read -r line; do
      target=${line#*\"}
      target=${target%\"*}
      [[ $target == */* ]] || continue # a generated header from the build tree (runtime_files.h)
      ok=0
      for pattern in $(allowed "$folder"); do
        [[ $target =~ ^${pattern}$ ]] && ok=1
      done
      if ((!ok)); then
        echo "${file#"$DF_SRC"/}: includes \"$target\", which $folder/ may not use" >&2
        bad=1
      fi
    done < <(grep -E '^#include "' "$file")
  done
  return "$bad"
}

step "each folder includes only what docs/architecture.md allows"
status=0
for folder in common common/coolify common/evidence compiler compiler/builder deployer monitor; do
  check_folder "$folder" || status=1
done
((status == 0)) || fail "an include breaks the dependency rules (docs/architecture.md)"

step "the checker itself catches a forbidden include"
mkdir -p "$WORK/src/compiler"
printf '#include "deployer/git.h"\n' >"$WORK/src/compiler/bad.cpp"
if DF_SRC=$WORK/src check_folder compiler 2>"$WORK/err"; then
  fail "a compiler/ file including deployer/git.h passed"
fi
assert_contains "$(cat "$WORK/err")" 'compiler/bad.cpp: includes "deployer/git.h"'

step "the checker catches compiler/ reaching into the builder (which would bring cpp-httplib into df-compile)"
printf '#include "compiler/builder/server.h"\n' >"$WORK/src/compiler/bad.cpp"
if DF_SRC=$WORK/src check_folder compiler 2>"$WORK/err"; then
  fail "a compiler/ file including compiler/builder/server.h passed"
fi

step "df-compile uses no OpenSSL: SHA-256 is Nettle's, in common/sha256.cpp only; compiler/ includes neither"
# users LIBRARY DIR...: the files under DIR that include a header of LIBRARY (common/coolify and
# common/evidence are deploy's and monitor's, not df-compile's).
users() { grep -rlE "^#include <$1/" "${@:2}" --include='*.cpp' --include='*.h' | sort || true; }
assert_eq "" "$(users openssl "$DF_SRC"/common/*.cpp "$DF_SRC"/common/*.h)" "the OpenSSL users in common/"
assert_eq "$DF_SRC/common/sha256.cpp" "$(users nettle "$DF_SRC"/common/*.cpp "$DF_SRC"/common/*.h)" \
  "the Nettle users in common/"
assert_eq "" "$(users openssl "$DF_SRC/compiler")$(users nettle "$DF_SRC/compiler")" "OpenSSL and Nettle users in compiler/"
printf '#include <openssl/evp.h>\n' >"$WORK/src/compiler/bad.cpp"
assert_eq "$WORK/src/compiler/bad.cpp" "$(users openssl "$WORK/src/compiler")" "the check finds one"

step "df-compile is linked without libcurl, cpp-httplib and libcrypto (Nettle for SHA-256); deploy and monitor load libcurl and libcrypto, the builder cpp-httplib"
# The link line, not only readelf: the linker drops an unused library, so a stray link would hide there.
build=$(dirname "$DF_BIN")
if command -v ninja >/dev/null && [[ -f $build/build.ninja ]]; then
  link=$(ninja -C "$build" -t commands bin/df-compile | tail -n 1)
  assert_contains "$link" "df-compile" "df-compile's link command"
  assert_not_contains "$link" libcurl "df-compile's link command"
  assert_not_contains "$link" httplib "df-compile's link command"
  assert_not_contains "$link" libcrypto "df-compile's link command"
fi
command -v readelf >/dev/null || skip "readelf (binutils) is not installed"
needed() { readelf -d "$DF_BIN/$1" | grep NEEDED || true; }
assert_not_contains "$(needed df-compile)" libcurl "df-compile's shared libraries"
assert_not_contains "$(needed df-compile)" httplib "df-compile's shared libraries"
assert_contains "$(needed df-compile-edit)" libcpp-httplib "df-compile-edit's shared libraries"
assert_not_contains "$(needed df-compile)" libcrypto "df-compile's shared libraries"
assert_contains "$(needed df-compile)" libnettle "df-compile's shared libraries (SHA-256)"
assert_contains "$(needed df-deploy)" libcrypto "df-deploy's shared libraries (evidence signatures)"
assert_contains "$(needed df-monitor)" libcrypto "df-monitor's shared libraries (evidence signatures)"
assert_contains "$(needed df-deploy)" libcurl "df-deploy's shared libraries"
assert_contains "$(needed df-monitor)" libcurl "df-monitor's shared libraries"
echo "ok"
