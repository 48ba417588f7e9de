#!/usr/bin/env bash
# deploy end to end: first deploy, unchanged redeploy, changed redeploy, dry run, print-config, --json; a
# parent whose folder bundles a child workflow pushes the child's folder with it.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/deploy_lib.sh"
start_standin
make_skill hello

step "dry run: no request reaches the server, nothing changes"
expect_exit 0 deploy --dry-run "$WORK/skills/hello"
assert_eq 0 "$(requests)" "requests during the dry run"
assert_contains "$OUT" "POST $URL/api/v1/applications/public"
assert_contains "$OUT" '"is_auto_deploy_enabled":false'
assert_not_contains "$OUT$ERR" "$TOKEN" "dry-run output"
[[ ! -e "$REGISTRY" ]] || fail "the dry run wrote the registry"
assert_eq 0 "$(branch_commits hello)" "commits after the dry run"

step "the seed's spelling output/<name>-skill/ finds output/<name>/"
expect_exit 0 deploy --dry-run "$WORK/skills/hello-skill/"
assert_contains "$OUT" "POST $URL/api/v1/applications/public"
expect_exit 66 deploy --dry-run "$WORK/skills/nothing-skill/"

step "print-config masks the token"
expect_exit 0 deploy --print-config
assert_contains "$OUT" "token             = ***  (env COOLIFY_TOKEN)"
assert_not_contains "$OUT" "$TOKEN"

step "first deploy: app created, healthy, registry entry, secrets kept 0600"
expect_exit 0 deploy --poll-interval 200ms "$WORK/skills/hello"
assert_contains "$OUT" "finished"
assert_not_contains "$OUT$ERR" "$TOKEN" "deploy output"
assert_eq 1 "$(branch_commits hello)" "commits on df/hello"
state=$(control state)
assert_eq 1 "$(jq '[.apps[] | select(.name == "df-hello")] | length' <<<"$state")" "apps named df-hello"
assert_eq "running:healthy" "$(jq -r '.apps[0].status' <<<"$state")"
assert_eq "/hooks/health" "$(jq -r '.apps[0].health_check_path' <<<"$state")"
assert_eq "false" "$(jq -r '.apps[0].is_auto_deploy_enabled' <<<"$state")"
assert_eq "https://df-hello.example.test" "$(jq -r '.apps[0].fqdn' <<<"$state")"
assert_eq 2 "$(jq '.apps[0].envs | map(select(.key == "DF_TRIGGER_TOKEN" or .key == "DF_APPROVE_TOKEN")) | length' <<<"$state")"
trigger=$(jq -r '.apps[0].envs[] | select(.key == "DF_TRIGGER_TOKEN") | .value' <<<"$state")
[[ ${#trigger} == 64 ]] || fail "generated trigger token has length ${#trigger}"
assert_not_contains "$OUT$ERR" "$trigger" "deploy output (service secret)"
assert_eq 600 "$(stat -c %a "$HOME/.config/dark-factory/secrets/hello.env")" "secrets file mode"
assert_not_contains "$(cat "$REGISTRY")" "$trigger" "registry (service secret)"
assert_eq finished "$(reg '.skills.hello.status')"
assert_eq "$(git --git-dir="$REMOTE" rev-parse refs/heads/df/hello)" "$(reg '.skills.hello.commit')"
assert_eq 0 "$(jq -s 'map(select(.path == "/api/v1/deploy" and (.body | contains("force")))) | length' "$STANDIN_LOG")" "deploys sent with force"
first_requests=$(requests)
echo "requests for a first deploy: $first_requests"

step "redeploy with no change: no new commit, still one app, nothing deployed"
expect_exit 0 deploy --json "$WORK/skills/hello"
assert_eq unchanged "$(jq -r '.results[0].status' <<<"$OUT")"
assert_eq false "$(jq -r '.results[0].changed' <<<"$OUT")"
assert_eq 1 "$(branch_commits hello)" "commits after an unchanged redeploy"
assert_eq 1 "$(control state | jq '.apps | length')" "apps"
assert_eq 1 "$(control state | jq '.deployments | length')" "deployments"

step "redeploy after a change: one new commit on top, same app"
echo "# changed" >>"$WORK/skills/hello/README.md"
expect_exit 0 deploy --json --poll-interval 200ms --show-secrets "$WORK/skills/hello"
assert_eq finished "$(jq -r '.results[0].status' <<<"$OUT")"
assert_eq "$trigger" "$(jq -r '.results[0].secrets.DF_TRIGGER_TOKEN' <<<"$OUT")" "secret kept across deploys, shown on request"
assert_eq 2 "$(branch_commits hello)" "commits after a changed redeploy"
assert_eq "$(git --git-dir="$REMOTE" rev-parse refs/heads/df/hello~1)" "$(reg '.skills.hello.history[0].commit')"
assert_eq 1 "$(control state | jq '.apps | length')" "apps"
assert_eq 3 "$(reg '.skills.hello.history | length')" "history entries"

step "the branch holds the folder as its root tree, without run state"
mkdir -p "$WORK/skills/hello/state" && echo x >"$WORK/skills/hello/state/run.json"
files=$(git --git-dir="$REMOTE" ls-tree --name-only refs/heads/df/hello)
assert_contains "$files" "skill.json"
assert_not_contains "$files" "state"

step "a parent with a child workflow: the pushed tree holds the child's folder under children/"
make_skill greeter
cat >"$WORK/src/caller.md" <<'MD'
# Workflow: caller

Calls the greeter.

## Steps

### 1. Greet
- Uses: greeter.md
MD
"$DF_BIN/df-compile" -q --out "$WORK/skills" "$WORK/src/caller.md" >/dev/null
expect_exit 0 deploy --poll-interval 200ms "$WORK/skills/caller"
files=$(git --git-dir="$REMOTE" ls-tree -r --name-only refs/heads/df/caller)
assert_contains "$files" $'children/greeter/run\n' "the pushed tree"
assert_contains "$files" "children/greeter/skill.json" "the pushed tree"
assert_eq 100755 "$(git --git-dir="$REMOTE" ls-tree refs/heads/df/caller children/greeter/run | cut -d' ' -f1)" \
  "the child's run mode"

step "the registry keeps what monitor --check needs of the deployed version: cron schedules, run timeout"
cp -r "$DF_SRC/examples/backup-data" "$WORK/skills/backup-data"
expect_exit 0 deploy --poll-interval 200ms "$WORK/skills/backup-data"
assert_eq '["30 1 * * *"] 3600' "$(jq -c '.skills["backup-data"].history[-1] | .schedules, .run_timeout_seconds' "$REGISTRY" | paste -sd' ')" "schedules and run timeout"
assert_eq null "$(reg '.skills.hello.history[-1].schedules')" "a workflow without cron triggers has none"
echo "ok"
