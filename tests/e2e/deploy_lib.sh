# shellcheck shell=bash
# Helpers for the deploy end-to-end tests: a local bare git remote, the Coolify stand-in, compiled skills,
# and the environment deploy reads. Source after lib.sh.
GIT_URL=https://git.example.test/acme/skills.git
SERVER_UUID=srv0standin0000000000001
PROJECT_UUID=prj0standin0000000000001
TOKEN=standin-token-$RANDOM$RANDOM

export HOME="$WORK/home" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
REMOTE="$WORK/remote.git"
git init -q --bare "$REMOTE"
REGISTRY="$HOME/.local/state/dark-factory/registry.json"

# start_standin [extra args...]: start_coolify (lib.sh) with the test's token and git remote; sets PORT,
# URL, STANDIN_LOG and STANDIN_PID, and the environment deploy reads.
start_standin() {
  start_coolify --token "$TOKEN" --repo "$GIT_URL=$REMOTE" "$@"
  # shellcheck disable=SC2034 # read by the tests that source this file
  STANDIN_LOG=$COOLIFY_STANDIN_LOG STANDIN_PID=$COOLIFY_STANDIN_PID URL=$COOLIFY_STANDIN_URL
  # shellcheck disable=SC2034
  PORT=${URL##*:}
  export COOLIFY_URL="$URL" COOLIFY_TOKEN="$TOKEN" DF_GIT_REMOTE="$REMOTE" DF_GIT_URL="$GIT_URL"
  export DF_SERVER_UUID="$SERVER_UUID" DF_PROJECT_UUID="$PROJECT_UUID" DF_DOMAIN=example.test
}

# control PATH [JSON]: POST (or GET without a body) to the stand-in's /_standin/ routes.
control() {
  if [[ $# -gt 1 ]]; then
    curl -sf -X POST -H 'Content-Type: application/json' -d "$2" "$URL/_standin/$1"
  else
    curl -sf "$URL/_standin/$1"
  fi
}
requests() { wc -l <"$STANDIN_LOG" | tr -d ' '; }

# make_skill NAME: a compiled skill folder $WORK/skills/NAME from a small workflow (with a Dockerfile).
make_skill() {
  local name=$1 src="$WORK/src/$1.md"
  mkdir -p "$WORK/src" "$WORK/skills"
  cat >"$src" <<MD
# Workflow: $name

Says hello.

## Steps

### 1. Greet
\`\`\`sh
echo "hello from $name"
\`\`\`
MD
  "$DF_BIN/df-compile" -q --out "$WORK/skills" "$src" >/dev/null
  # Until compile generates the service files, give the folder the Dockerfile Coolify builds.
  [[ -f "$WORK/skills/$name/Dockerfile" ]] || printf 'FROM debian:12-slim\nCOPY . /skill\n' >"$WORK/skills/$name/Dockerfile"
}

branch_commits() { git --git-dir="$REMOTE" rev-list --count "refs/heads/df/$1" 2>/dev/null || echo 0; }
reg() { jq -r "$1" "$REGISTRY"; }
