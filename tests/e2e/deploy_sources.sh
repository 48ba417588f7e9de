#!/usr/bin/env bash
# deploy with a deploy-key or GitHub App source, and a workflow memory limit: the create request the
# stand-in validates carries the source's uuid and the container limit (512 MB = 512000000 bytes, which
# Docker reads as bytes).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/deploy_lib.sh"
start_standin

# A skill whose workflow sets a memory limit.
mkdir -p "$WORK/src" "$WORK/skills"
cat >"$WORK/src/capped.md" <<'MD'
# Workflow: Capped

Says hello within a memory limit.

## Steps

### 1. Greet
```sh
echo hello
```

## Guardrails
- Memory limit: 512 MB
MD
"$DF_BIN/df-compile" -q --out "$WORK/skills" "$WORK/src/capped.md" >/dev/null
make_skill keyed

created() { # PATH: the body of the create request sent to PATH
  jq -s --arg p "$1" 'map(select(.method == "POST" and .path == $p)) | last | .body' "$STANDIN_LOG"
}

step "deploy-key source without its uuid: a config error before any request"
export DF_GIT_SOURCE=deploy-key
expect_exit 78 deploy "$WORK/skills/keyed"
assert_contains "$ERR" "DF_PRIVATE_KEY_UUID"
assert_eq 0 "$(requests)" "requests"

step "deploy-key source: POST /applications/private-deploy-key with the key's uuid"
export DF_PRIVATE_KEY_UUID=key0standin0000000000001
expect_exit 0 deploy --poll-interval 200ms "$WORK/skills/keyed"
body=$(created /api/v1/applications/private-deploy-key)
[[ "$body" != null ]] || fail "no create request on the deploy-key endpoint: $(cat "$STANDIN_LOG")"
assert_eq key0standin0000000000001 "$(jq -r 'fromjson? // . | .private_key_uuid' <<<"$body")" "private_key_uuid"
assert_eq "running:healthy" "$(control state | jq -r '.apps[] | select(.name == "df-keyed") | .status')"

step "GitHub App source and a memory limit: POST /applications/private-github-app with limits_memory"
unset DF_PRIVATE_KEY_UUID
export DF_GIT_SOURCE=github-app DF_GITHUB_APP_UUID=gha0standin0000000000001
expect_exit 0 deploy --poll-interval 200ms "$WORK/skills/capped"
body=$(created /api/v1/applications/private-github-app)
[[ "$body" != null ]] || fail "no create request on the github-app endpoint: $(cat "$STANDIN_LOG")"
assert_eq gha0standin0000000000001 "$(jq -r 'fromjson? // . | .github_app_uuid' <<<"$body")" "github_app_uuid"
assert_eq 512000000 "$(control state | jq -r '.apps[] | select(.name == "df-capped") | .limits_memory')" "limits_memory"
