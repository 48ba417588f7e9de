#!/usr/bin/env bash
# `cmake --install` puts df-compile, df-deploy and df-monitor (names that clash with no other tool) into
# PREFIX/bin, stripped, with their man pages, bash/zsh/fish completions (and those of the skill executor
# `run`), the license and the docs (docs/install.md); the installed compile works on its own, away from the
# source tree (its templates are embedded).
source "$(dirname "$0")/lib.sh"

build=$(dirname "$DF_BIN")
[[ -f "$build/cmake_install.cmake" ]] || fail "$build is not a configured build folder"

step "DESTDIR install into a scratch prefix: every file where Debian's tools look for it"
DESTDIR="$WORK/dest" cmake --install "$build" --prefix /opt/dark-factory >"$WORK/install.log"
root="$WORK/dest/opt/dark-factory"
expected=()
for p in df-compile df-deploy df-monitor; do
  expected+=("bin/$p" "share/man/man1/$p.1" "share/bash-completion/completions/$p"
    "share/zsh/vendor-completions/_$p" "share/fish/vendor_completions.d/$p.fish")
done
expected+=(libexec/dark-factory-engine/df-compile-edit) # the builder behind df-compile --edit
expected+=(share/bash-completion/completions/run share/zsh/vendor-completions/_run
  share/fish/vendor_completions.d/run.fish)
for f in LICENSE README.md CHANGELOG.md; do expected+=("share/doc/dark-factory-engine/$f"); done
for f in "$DF_SRC"/docs/*.md; do expected+=("share/doc/dark-factory-engine/${f##*/}"); done
assert_eq "$(printf '%s\n' "${expected[@]}" | sort)" "$(cd "$root" && find . -type f -o -type l | sed 's|^\./||' | sort)" \
  "installed files"
for p in df-compile df-deploy df-monitor; do
  [[ -x "$root/bin/$p" ]] || fail "$p is not executable"
  # Stripped: no symbol table and no debug sections (the build folder's copy keeps them for debugging).
  sections=$(readelf -S -W "$root/bin/$p")
  assert_not_contains "$sections" ".symtab" "$p's sections"
  assert_not_contains "$sections" ".debug_info" "$p's sections"
  assert_contains "$(readelf -S -W "$DF_BIN/$p")" ".debug_info" "the build folder's $p"
done

step "man df-compile renders, from the installed page, with the options of --help"
command -v man >/dev/null || fail "man is not installed (bin/setup installs man-db)"
for p in df-compile df-deploy df-monitor; do
  page=$(MANPATH="$root/share/man" MANWIDTH=100 man -P cat "$p" 2>"$WORK/man.err") ||
    fail "man $p failed: $(cat "$WORK/man.err")"
  assert_contains "$page" "NAME" "man $p"
  grep -Eq "^ +$p +- " <<<"$page" || fail "man $p has no NAME line: $page"
  assert_contains "$page" "--version" "man $p"
done
page=$(MANPATH="$root/share/man" MANWIDTH=100 man -P cat df-compile 2>/dev/null)
for flag in --out --check --depfile --verify --name-from-file --edit; do assert_contains "$page" "$flag" "man df-compile"; done

step "the completions: valid scripts, and bash completes options, values and skill inputs"
[[ -r /usr/share/bash-completion/bash_completion ]] || fail "bash-completion is not installed (bin/setup installs it)"
command -v zsh >/dev/null || fail "zsh is not installed (bin/setup installs it)"
command -v fish >/dev/null || fail "fish is not installed (bin/setup installs it)"
for f in "$root"/share/bash-completion/completions/*; do bash -n "$f" || fail "bash -n $f"; done
for f in "$root"/share/zsh/vendor-completions/_*; do zsh -n "$f" || fail "zsh -n $f"; done
for f in "$root"/share/fish/vendor_completions.d/*; do fish --no-config -n "$f" || fail "fish -n $f"; done
compile -q -o "$WORK/skills" "$DF_SRC/workflow-templates/backup-data.md" >/dev/null
# complete WORDS...: what bash completes for the last word, as an interactive shell would (bash-completion).
complete_words() {
  local script=$1
  shift
  bash --norc -c 'source /usr/share/bash-completion/bash_completion; source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    "$(complete -p "${1##*/}" | sed "s/.*-F \([^ ]*\) .*/\1/")" "$1" "${!#}" "${@: -2:1}"
    printf "%s\n" "${COMPREPLY[@]}"' _ "$script" "$@"
}
completions=$root/share/bash-completion/completions
assert_contains "$(complete_words "$completions/df-compile" df-compile --dep)" "--depfile" "df-compile --dep<TAB>"
assert_contains "$(complete_words "$completions/df-compile" df-compile --ed)" "--edit" "df-compile --ed<TAB>"
assert_eq $'always\nauto' "$(complete_words "$completions/df-compile" df-compile --color a | sort)" "df-compile --color a<TAB>"
assert_contains "$(complete_words "$completions/df-deploy" df-deploy --dry)" "--dry-run" "df-deploy --dry<TAB>"
assert_contains "$(complete_words "$completions/df-monitor" df-monitor --ch)" "--check" "df-monitor --ch<TAB>"
run_words=$(complete_words "$completions/run" "$WORK/skills/backup-data/run" --)
for word in --dry-run --version --inputs-json $(jq -r '.inputs[].name | "--" + .' "$WORK/skills/backup-data/skill.json"); do
  assert_contains "$run_words" "$word" "run --<TAB>"
done
assert_eq "$(jq -r '.steps[].id' "$WORK/skills/backup-data/skill.json")" \
  "$(complete_words "$completions/run" "$WORK/skills/backup-data/run" --step '')" "run --step <TAB>"

step "zsh and fish complete the same: options, values, a skill's inputs and steps"
# zsh_words LINE / fish_words LINE: the words each shell offers for LINE<TAB>, one a line.
zsh_words() { timeout 60 zsh -f "$DF_SRC/tests/e2e/zsh_complete.zsh" "$root/share/zsh/vendor-completions" "$1"; }
fish_words() {
  fish --no-config -c 'for f in $argv[1]/*.fish; source $f; end; complete -C $argv[2]' \
    "$root/share/fish/vendor_completions.d" "$1" | cut -f1
}
skill_run=$WORK/skills/backup-data/run
inputs=$(jq -r '.inputs[].name | "--" + .' "$WORK/skills/backup-data/skill.json")
steps=$(jq -r '.steps[].id' "$WORK/skills/backup-data/skill.json")
for shell in zsh fish; do
  assert_contains "$("${shell}_words" "df-compile --dep")" "--depfile" "$shell: df-compile --dep<TAB>"
  assert_eq $'always\nauto' "$("${shell}_words" "df-compile --color a" | sort)" "$shell: df-compile --color a<TAB>"
  assert_contains "$("${shell}_words" "df-deploy --dry")" "--dry-run" "$shell: df-deploy --dry<TAB>"
  assert_contains "$("${shell}_words" "df-monitor --ch")" "--check" "$shell: df-monitor --ch<TAB>"
  run_words=$("${shell}_words" "$skill_run --")
  for word in --dry-run --inputs-json $inputs; do assert_contains "$run_words" "$word" "$shell: run --<TAB>"; done
  assert_eq "$(sort <<<"$steps")" "$("${shell}_words" "$skill_run --step " | sort)" "$shell: run --step <TAB>"
done

step "the installed programs run from anywhere, without the source tree or the build folder"
mkdir -p "$WORK/elsewhere"
cp "$DF_SRC/workflow-templates/backup-data.md" "$WORK/elsewhere/flow.md"
cd "$WORK/elsewhere" || exit
clean_env=(env -i PATH=/usr/bin:/bin HOME="$WORK/elsewhere" LC_ALL=C.UTF-8)
version=$(sed -n 's/^project(dark-factory-engine VERSION \([0-9.]*\).*/\1/p' "$DF_SRC/CMakeLists.txt")
[[ -n "$version" ]] || fail "cannot read the project version"
for p in df-compile df-deploy df-monitor; do
  assert_eq "$p (Dark Factory Engine) $version" "$("${clean_env[@]}" "$root/bin/$p" --version)" "$p --version"
done

step "installed, the programs name themselves as installed (df-compile: error: ...)"
for p in df-compile df-deploy df-monitor; do
  expect_exit 64 "${clean_env[@]}" "$root/bin/$p" --no-such-flag
  [[ $ERR == "$p: error: "*no-such-flag*" (see $p --help)" ]] || fail "$p's usage error: $ERR"
done
expect_exit 66 "${clean_env[@]}" "$root/bin/df-compile" missing.md
assert_contains "$ERR" "df-compile: error: cannot read 'missing.md'"
assert_eq "output/backup-data" "$("${clean_env[@]}" "$root/bin/df-compile" -q flow.md)" "installed compile's stdout"
grep -q '^name: backup-data$' output/backup-data/SKILL.md || fail "the installed compile wrote no SKILL.md"
# --edit finds the builder in PREFIX/libexec; it prints its URL, then stops on SIGTERM.
"${clean_env[@]}" "$root/bin/df-compile" --edit . >"$WORK/edit.url" 2>"$WORK/edit.err" &
editor=$!
on_exit "kill $editor 2>/dev/null"
wait_for test -s "$WORK/edit.url"
assert_contains "$(cat "$WORK/edit.url")" "http://127.0.0.1:" "installed df-compile --edit"
kill -TERM "$editor"
wait "$editor" || fail "the installed builder did not stop cleanly: $(cat "$WORK/edit.err")"
cmp -s output/backup-data/SKILL.md "$DF_SRC/examples/backup-data/SKILL.md" ||
  fail "the installed compile's SKILL.md differs from examples/backup-data/SKILL.md"
