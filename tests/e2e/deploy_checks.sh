#!/usr/bin/env bash
# deploy checks everything it can before its first side effect, refuses what would leak a secret, and
# reports with honest exit codes: bad --env, a wrong token (before the push), a pre-receive hook's refusal,
# a password in COOLIFY_URL or in the git URLs (also in --dry-run), a token over plain http, a redirect, SIGTERM; --dry-run needs no settings; the
# summary shows the URL Coolify generated.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/deploy_lib.sh"
start_standin
make_skill hello
d() { deploy --poll-interval 200ms "$@"; }
skill="$WORK/skills/hello"

step "--env keys and values the service would refuse: 64, before any push or request"
for kv in 1A=x A-B=x $'A\nB=x' DF_TRIGGER_TOKEN=short "DF_APPROVE_TOKEN=has'quote-0123456789"; do
  expect_exit 64 d --env "$kv" "$skill"
  assert_contains "$ERR" "deploy: error: --env"
done
assert_eq 0 "$(requests)" "requests"
assert_eq 0 "$(branch_commits hello)" "commits on df/hello"

step "--dry-run works with no Coolify or git settings, and makes no call"
( unset COOLIFY_URL COOLIFY_TOKEN DF_GIT_REMOTE DF_GIT_URL DF_SERVER_UUID DF_PROJECT_UUID
  expect_exit 0 d --dry-run "$skill"
  assert_contains "$OUT" "<COOLIFY_URL>/api/v1/version"
  assert_contains "$OUT" "<DF_GIT_REMOTE>"
  assert_contains "$OUT" "<DF_PROJECT_UUID>"
  assert_contains "$OUT" "Bearer <COOLIFY_TOKEN>" )
assert_eq 0 "$(requests)" "requests"

step "--dry-run shows git URLs without the password in them"
( export DF_GIT_REMOTE=https://bot:remote-pw-0123@git.example.test/skills.git
  export DF_GIT_URL=https://git.example.test/skills.git
  expect_exit 0 d --dry-run "$skill"
  assert_contains "$OUT" "git push -- https://git.example.test/skills.git"
  assert_not_contains "$OUT$ERR" remote-pw-0123 "dry-run output"
  # Coolify cannot clone a URL with a password in it: refused, and the message does not show it either.
  export DF_GIT_URL=https://bot:clone-pw-0123@git.example.test/skills.git
  expect_exit 78 d --dry-run "$skill"
  assert_contains "$ERR" "cannot clone 'https://git.example.test/skills.git'"
  assert_not_contains "$OUT$ERR" clone-pw-0123 "the refusal" )
assert_eq 0 "$(requests)" "requests"

step "a first deploy without DF_DOMAIN: the summary shows the URL Coolify generated"
(unset DF_DOMAIN; expect_exit 0 d --json "$skill"
 fqdn=$(control state | jq -r '.apps[0].fqdn')
 assert_contains "$fqdn" "sslip.io"
 assert_eq "$fqdn" "$(jq -r '.results[0].fqdn' <<<"$OUT")" "reported URL"
 assert_eq "$fqdn" "$(reg '.skills.hello.fqdn')" "registry URL")
commits=$(branch_commits hello)

step "a wrong token is found before the push: the branch stays, the status still says what runs"
echo "# v2" >>"$skill/README.md"
(export COOLIFY_TOKEN=wrong-token-0123456789; expect_exit 77 d "$skill"
 assert_not_contains "$ERR$OUT" wrong-token-0123456789)
assert_eq "$commits" "$(branch_commits hello)" "commits on df/hello"
assert_eq finished "$(reg '.skills.hello.status')"
assert_eq failed "$(reg '.skills.hello.history[-1].status')"
entries=$(reg '.skills.hello.history | length')
(export COOLIFY_TOKEN=wrong-token-0123456789
 expect_exit 77 d --remove hello
 expect_exit 77 d --rollback hello)
assert_eq finished "$(reg '.skills.hello.status')"
assert_eq "$entries" "$(reg '.skills.hello.history | length')" "history entries after refused --remove/--rollback"

step "a pre-receive hook's refusal: exit 1 with the remote's reason, not 75"
printf '#!/bin/sh\necho "policy: deploys are frozen until Monday" >&2\nexit 1\n' >"$REMOTE/hooks/pre-receive"
chmod +x "$REMOTE/hooks/pre-receive"
expect_exit 1 d "$skill"
assert_contains "$ERR" "policy: deploys are frozen until Monday"
assert_contains "$ERR" "refused"
assert_not_contains "$ERR" "run deploy again"
assert_eq finished "$(reg '.skills.hello.status')"
rm "$REMOTE/hooks/pre-receive"

step "a password in COOLIFY_URL is refused and never shown or stored"
before=$(requests)
(export COOLIFY_URL="http://admin:pw-hunter2@127.0.0.1:$PORT"
 expect_exit 78 d "$skill"
 assert_not_contains "$ERR$OUT" pw-hunter2
 assert_contains "$ERR" "user name or password"
 expect_exit 78 d --print-config
 assert_not_contains "$ERR$OUT" pw-hunter2)
assert_eq "$before" "$(requests)" "requests"
if grep -q pw-hunter2 "$REGISTRY"; then fail "the password is in the registry"; fi

step "the URL and the token come from one place"
mkdir -p "$HOME/.config/dark-factory"
echo '{"token":"file-token-0123456789"}' >"$HOME/.config/dark-factory/config.json"
(unset COOLIFY_TOKEN; expect_exit 78 d "$skill"; assert_contains "$ERR" "one place"
 assert_not_contains "$ERR" file-token-0123456789)
rm "$HOME/.config/dark-factory/config.json"

step "no token over plain http to a host that is not loopback, unless --insecure-http"
(export COOLIFY_URL=http://coolify.invalid:8000
 expect_exit 78 d "$skill"; assert_contains "$ERR" "--insecure-http"
 expect_exit 0 d --insecure-http --dry-run "$skill")

step "a redirect is reported, not followed"
python3 - "$WORK/redirect-port" <<'PY' &
import http.server, sys
class Moved(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(301)
        self.send_header("Location", "https://elsewhere.test:8443" + self.path)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Moved)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.timeout = 60
server.handle_request()
PY
redirect_pid=$!
on_exit "kill $redirect_pid 2>/dev/null"
wait_for test -s "$WORK/redirect-port"
redirect_port=$(cat "$WORK/redirect-port")
(export COOLIFY_URL="http://127.0.0.1:$redirect_port"
 expect_exit 76 d "$skill"
 assert_contains "$ERR" "redirected to https://elsewhere.test:8443/api/v1/version"
 assert_not_contains "$ERR" "COOLIFY_TOKEN")

step "SIGTERM: 143, recorded as interrupted"
control config '{"build_seconds":20}' >/dev/null
echo "# v3" >>"$skill/README.md"
"$DF_BIN/df-deploy" --poll-interval 200ms "$skill" >"$WORK/out" 2>"$WORK/err" &
pid=$!
on_exit "kill $pid 2>/dev/null"
wait_for grep -q in_progress "$WORK/err"
kill -TERM "$pid"
set +e
wait "$pid"
code=$?
set -e
assert_eq 143 "$code" "exit code after SIGTERM"
assert_eq interrupted "$(reg '.skills.hello.history[-1].status')"
echo ok
