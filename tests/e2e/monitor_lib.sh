# shellcheck shell=bash
# Helpers for the monitor end-to-end tests: a Coolify stand-in with named apps, deployments built from a
# local bare repository, and registry files written by hand (monitor only ever reads them).
# Sourced after lib.sh.

REPO_URL=https://git.example.test/acme/skills.git

# start_standin [args...]: starts the stand-in (self-destructs after 90 s), exports PORT, API, COOLIFY_URL,
# COOLIFY_TOKEN and DF_REGISTRY; requests are logged to $WORK/requests.log.
start_standin() {
  git init -q --bare "$WORK/skills.git"
  "$DF_BIN/coolify-standin" --port-file "$WORK/port" --ttl 90 --build-seconds 0 --log "$WORK/requests.log" \
    --repo "$REPO_URL=$WORK/skills.git" "$@" >/dev/null 2>"$WORK/standin.err" &
  STANDIN_PID=$!
  on_exit "kill $STANDIN_PID 2>/dev/null"
  wait_for test -s "$WORK/port"
  PORT=$(cat "$WORK/port")
  API="http://127.0.0.1:$PORT"
  export COOLIFY_URL="$API" COOLIFY_TOKEN=standin-token DF_REGISTRY="$WORK/registry.json"
  export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config"
  mkdir -p "$HOME"
}

api() { # METHOD PATH [BODY]
  curl -sf -X "$1" -H "Authorization: Bearer standin-token" -H "Accept: application/json" \
    -H "Content-Type: application/json" ${3:+--data "$3"} "$API/api/v1$2"
}
control() { curl -sf -X "$1" ${3:+--data "$3"} "$API/_standin/$2" >/dev/null; }

# make_app NAME STATUS [DOMAIN]: creates a Coolify app NAME and sets its status; prints its uuid.
make_app() {
  local body
  body=$(jq -nc --arg n "$1" --arg d "${3:-}" '{project_uuid:"prj0standin0000000000001",
    server_uuid:"srv0standin0000000000001", environment_name:"production", git_repository:"'"$REPO_URL"'",
    git_branch:("df/" + ($n | ltrimstr("df-"))), build_pack:"dockerfile", ports_exposes:"9000", name:$n,
    instant_deploy:false} + (if $d == "" then {} else {domains:$d} end)')
  local uuid
  uuid=$(api POST /applications/public "$body" | jq -r .uuid)
  control POST "apps/$uuid" "{\"status\":\"$2\"}"
  echo "$uuid"
}

# push_branch BRANCH [with-dockerfile]: commits a tiny service to BRANCH of the bare repository.
push_branch() {
  local tree="$WORK/tree-$1"
  rm -rf "$tree" && mkdir -p "$tree" && git -C "$tree" init -q -b main
  echo "hello" >"$tree/README.md"
  [[ "${2:-}" == with-dockerfile ]] && printf 'FROM debian:12-slim\nCMD ["true"]\n' >"$tree/Dockerfile"
  git -C "$tree" add -A && git -C "$tree" -c user.name=t -c user.email=t@example.test commit -qm "$1"
  git -C "$tree" push -q "$WORK/skills.git" "HEAD:refs/heads/$1"
}

deployment_ended() { [[ $(api GET "/deployments/$1" | jq -r .status) == @(finished|failed) ]]; }
# deploy_app UUID: triggers a deployment and waits until it is terminal; prints the deployment uuid.
deploy_app() {
  local dep
  dep=$(api POST /deploy "{\"uuid\":\"$1\"}" | jq -r '.deployments[0].deployment_uuid')
  wait_for deployment_ended "$dep"
  echo "$dep"
}

# registry_with NAME... : a registry whose skills are NAME (app df-NAME), each with one finished deploy.
registry_with() {
  local skills='{}' n
  for n in "$@"; do
    skills=$(jq -c --arg n "$n" '. + {($n): {app_uuid:"", app_name:("df-" + $n), fqdn:"", branch:("df/" + $n),
      commit:"0123456789abcdef0123456789abcdef01234567", status:"finished", updated_at:"2026-08-22T10:01:30Z",
      history:[{id:"d1", kind:"deploy", commit:"0123456789abcdef0123456789abcdef01234567",
        deployment_uuid:"", status:"finished", started_at:"2026-08-22T10:00:00Z",
        finished_at:"2026-08-22T10:01:30Z", source_sha256:"", compiler_version:"", skill_version:"",
        message:"deployed"}]}}' <<<"$skills")
  done
  jq -n --argjson s "$skills" '{schema_version:1, skills:$s}'
}
