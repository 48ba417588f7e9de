#!/usr/bin/env bash
# The workflow templates compile and run end to end: command steps for real (a local bare git repository
# as git_repo), agent steps through the Gateway stand-in.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/run_lib.sh"
cd "$WORK" || exit
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.test GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.test
export GIT_CONFIG_NOSYSTEM=1 HOME=$WORK

step "a local bare repository: a Dockerfile, a test script, a committed fake key and a .env file"
git init -q -b main src
printf 'FROM debian:12-slim\n' >src/Dockerfile
printf '#!/bin/sh\necho "ran the tests"\nexit 0\n' >src/test.sh
printf 'aws_key = AKIAABCDEFGHIJKLMNOP\n' >src/config.txt
printf 'PASSWORD=x\n' >src/.env
git -C src add -A && git -C src commit -qm init
git clone -q --bare src repo.git
REPO=file://$WORK/repo.git
COMMIT=$(git -C src rev-parse HEAD)
compile "$DF_SRC"/workflow-templates/*.md -o "$WORK/skills" >/dev/null 2>&1
start_gateway --outputs '{"deployment_url": "https://billing.example.test", "health_status": "healthy",
  "summary": "All tests passed.", "open_findings": "1"}'
export OPENCLAW_GATEWAY_URL=$GW_URL OPENCLAW_GATEWAY_TOKEN=$GW_TOKEN

step "deploy-service (staging): clone for real, two agent steps, every output but rollback_command"
SKILL=$WORK/skills/deploy-service
expect_exit 0 "$SKILL/run" --service_name billing --git_repo "$REPO" --json
id=$(jq -r .run_id <<<"$OUT")
assert_eq "$COMMIT" "$(field "$id" .outputs.commit)" commit
assert_eq https://billing.example.test "$(field "$id" .outputs.deployment_url)" deployment_url
assert_eq '["rollback_command"]' "$(field "$id" '.missing_outputs | tojson')" missing_outputs
assert_eq 2 "$(grep -c . "$GW_LOG")" "Gateway requests"

step "deploy-service (production) waits for approval, then runs"
expect_exit 4 "$SKILL/run" --service_name billing --git_repo "$REPO" --environment production --no-wait
id=$(run_id_of "$OUT")
expect_exit 0 "$SKILL/run" --approve "$id" --by lead
wait_status "$id" succeeded

step "deploy-service: a branch without a Dockerfile fails the clone and the agent rolls back"
git -C src checkout -q -b broken && git -C src rm -q Dockerfile && git -C src commit -qm broken
git -C src push -q "$WORK/repo.git" broken
expect_exit 1 "$SKILL/run" --service_name billing --git_repo "$REPO" --branch broken
id=$(run_id_of "$OUT")
assert_eq "rolled_back failed skipped skipped succeeded" \
  "$(field "$id" '[.status, (.steps + .rollback)[].status] | join(" ")')" "statuses"

step "run-tests: checkout, the test command, an agent summary"
SKILL=$WORK/skills/run-tests
expect_exit 0 "$SKILL/run" --git_repo "$REPO" --test_command 'sh ./test.sh' --json
id=$(jq -r .run_id <<<"$OUT")
assert_eq "passed 0 All tests passed." "$(field "$id" '"\(.outputs.result) \(.outputs.exit_code) \(.outputs.summary)"')" outputs
assert_contains "$ERR" "ran the tests"
expect_exit 0 "$SKILL/run" --git_repo "$REPO" --test_command 'exit 7'
id=$(run_id_of "$OUT")
assert_eq "failed 7" "$(field "$id" '"\(.outputs.result) \(.outputs.exit_code)"')" "failing tests are reported"

step "security-scan: finds the fake key and the .env file; the agent triages"
SKILL=$WORK/skills/security-scan
expect_exit 0 "$SKILL/run" --git_repo "$REPO" --json
id=$(jq -r .run_id <<<"$OUT")
assert_eq "1 1 1" "$(field "$id" '"\(.outputs.secret_findings) \(.outputs.risky_files) \(.outputs.open_findings)"')" outputs
prompt=$(tail -n 1 "$GW_LOG" | jq -r '.body.messages[-1].content')
assert_contains "$prompt" "Never print a matched secret value"
assert_not_contains "$(cat "$(record "$id")")" "AKIAABCDEFGHIJKLMNOP" "the record"

step "backup-data: archive, verify, prune, agent report"
SKILL=$WORK/skills/backup-data
mkdir -p data && echo "precious" >data/file
expect_exit 0 "$SKILL/run" --source_dir "$WORK/data" --backup_dir "$WORK/backups" --keep 1 --json
id=$(jq -r .run_id <<<"$OUT")
archive=$(field "$id" .outputs.archive)
tar -tzf "$archive" | grep -q './file' || fail "the archive lacks the file"
assert_eq "$(sha256sum "$archive" | cut -d' ' -f1)" "$(field "$id" .outputs.sha256)" sha256
assert_eq 1 "$(field "$id" .outputs.kept)" kept

step "release: build and test side by side, approval, each service deployed, smoke test as a child workflow"
git -C src checkout -q main && git -C src tag v1.0 && git -C src push -q "$WORK/repo.git" v1.0
mkdir -p site && echo ok >site/health
SKILL=$WORK/skills/release
expect_exit 0 "$SKILL/run" --git_repo "$REPO" --tag v1.0 --services 'api, web' --test_command 'sh ./test.sh' \
  --health_url "file://$WORK/site" --detach
id=$(jq -r .run_id <<<"$OUT")
wait_for jq -e '.steps[3].approval.status == "pending"' "$(record "$id")"
assert_eq "succeeded succeeded succeeded" "$(field "$id" '[.steps[0:3][].status] | join(" ")')" "check-out, build, test"
expect_exit 0 "$SKILL/run" --approve "$id" --by release-manager
wait_status "$id" succeeded
assert_eq '["api@v1.0","web@v1.0"]' "$(field "$id" .outputs.deployed)" deployed
assert_eq healthy "$(field "$id" .outputs.health)" "the smoke test's output"
assert_eq smoke-test "$(field "$id" .steps[4].child.skill)" "the child workflow"
echo PASS
