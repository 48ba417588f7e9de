#!/usr/bin/env bash
# deploy --rollback (previous good, --to COMMIT), on new and old servers, and deploy --remove.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/deploy_lib.sh"
start_standin
make_skill hello
d() { deploy --poll-interval 200ms "$@"; }

step "two versions deployed"
expect_exit 0 d "$WORK/skills/hello"
good=$(reg '.skills.hello.commit')
echo "# v2" >>"$WORK/skills/hello/README.md"
step "roll back by hand"
expect_exit 0 d "$WORK/skills/hello"
newer=$(reg '.skills.hello.commit')
[[ "$newer" != "$good" ]] || fail "the new deploy did not change the commit"
expect_exit 0 d --rollback hello
assert_eq "$good" "$(reg '.skills.hello.commit')"
expect_exit 0 d --rollback hello --to "${newer:0:10}"
assert_eq "$newer" "$(reg '.skills.hello.commit')"
expect_exit 64 d --rollback hello --to deadbeef

step "older servers (4.1.0): no rollback endpoint, so the commit is pinned and redeployed"
kill "$STANDIN_PID"
start_standin --version 4.1.0
expect_exit 1 d --rollback hello  # the registry's app does not exist on this new server
expect_exit 0 d --force "$WORK/skills/hello"
expect_exit 0 d --rollback hello --to "${good:0:12}"
assert_eq "$good" "$(control state | jq -r '.apps[0].running_commit')"
assert_eq 0 "$(jq -s 'map(select(.path | endswith("/rollback"))) | length' "$STANDIN_LOG")" "rollback endpoint calls on 4.1.0"
expect_exit 0 d --force "$WORK/skills/hello"
assert_eq HEAD "$(control state | jq -r '.apps[0].git_commit_sha')" "pin released by the next deploy"

step "remove: the app goes, the branch stays unless asked"
expect_exit 0 d --remove hello
assert_eq 0 "$(control state | jq '.apps | length')"
assert_eq removed "$(reg '.skills.hello.status')"
git --git-dir="$REMOTE" rev-parse -q --verify refs/heads/df/hello >/dev/null || fail "branch deleted without --delete-branch"
expect_exit 0 d "$WORK/skills/hello"
expect_exit 0 d --remove hello --delete-branch
if git --git-dir="$REMOTE" rev-parse -q --verify refs/heads/df/hello >/dev/null; then fail "branch kept with --delete-branch"; fi
expect_exit 66 d --remove hello
echo ok
