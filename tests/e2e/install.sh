#!/usr/bin/env bash
# `cmake --install` puts df-compile, df-deploy and df-monitor (names that clash with no other tool) into
# PREFIX/bin, and nothing else; the installed compile works on its own, away from the source tree (its
# templates are embedded).
source "$(dirname "$0")/lib.sh"

build=$(dirname "$DF_BIN")
[[ -f "$build/cmake_install.cmake" ]] || fail "$build is not a configured build folder"

step "DESTDIR install into a scratch prefix"
DESTDIR="$WORK/dest" cmake --install "$build" --prefix /opt/dark-factory >"$WORK/install.log"
root="$WORK/dest/opt/dark-factory"
assert_eq $'bin/df-compile\nbin/df-deploy\nbin/df-monitor' "$(cd "$root" && find . -type f -o -type l | sed 's|^\./||' | sort)" \
  "installed files"
for p in df-compile df-deploy df-monitor; do [[ -x "$root/bin/$p" ]] || fail "$p is not executable"; done

step "the installed programs run from anywhere, without the source tree or the build folder"
mkdir -p "$WORK/elsewhere"
cp "$DF_SRC/workflow-templates/backup-data.md" "$WORK/elsewhere/flow.md"
cd "$WORK/elsewhere"
clean_env=(env -i PATH=/usr/bin:/bin HOME="$WORK/elsewhere" LC_ALL=C.UTF-8)
version=$(sed -n 's/^project(dark-factory-engine VERSION \([0-9.]*\).*/\1/p' "$DF_SRC/CMakeLists.txt")
[[ -n "$version" ]] || fail "cannot read the project version"
assert_eq "compile (Dark Factory Engine) $version" "$("${clean_env[@]}" "$root/bin/df-compile" --version)" "df-compile --version"
for p in df-deploy df-monitor; do
  # They run (their own tests check what they say); 126+ would mean they cannot even start.
  set +e
  "${clean_env[@]}" "$root/bin/$p" --version >/dev/null 2>&1
  rc=$?
  set -e
  ((rc < 126)) || fail "$p --version could not run (exit $rc)"
done
assert_eq "output/backup-data" "$("${clean_env[@]}" "$root/bin/df-compile" -q flow.md)" "installed compile's stdout"
grep -q '^name: backup-data$' output/backup-data/SKILL.md || fail "the installed compile wrote no SKILL.md"
cmp -s output/backup-data/SKILL.md "$DF_SRC/examples/backup-data/SKILL.md" ||
  fail "the installed compile's SKILL.md differs from examples/backup-data/SKILL.md"
