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

# start_standin [extra args...]: starts coolify-standin, sets PORT, URL and STANDIN_LOG; stops it on exit.
start_standin() {
  STANDIN_LOG="$WORK/standin.log"
  : >"$STANDIN_LOG"
  rm -f "$WORK/port"
  "$DF_BIN/coolify-standin" --ttl 90 --token "$TOKEN" --repo "$GIT_URL=$REMOTE" --log "$STANDIN_LOG" \
    --port-file "$WORK/port" "$@" >/dev/null 2>"$WORK/standin.err" &
  STANDIN_PID=$!
  on_exit "kill $STANDIN_PID 2>/dev/null"
  wait_for test -s "$WORK/port"
  PORT=$(cat "$WORK/port")
  URL="http://127.0.0.1:$PORT"
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
