#!/usr/bin/env bash
# The builder's HTTP contract (compile --edit DIR), with curl: the token, the Host check, paths kept under
# DIR (no symlink followed, even one swapped in after a load), the save's conflict check and atomic rename,
# the dry run's inputs as data, a clean stop on SIGINT.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/builder_lib.sh"
command -v curl >/dev/null || skip "curl is not installed"

FLOWS=$WORK/flows
mkdir -p "$FLOWS/sub" "$WORK/outside"
cp "$DF_SRC/workflow-templates/backup-data.md" "$FLOWS/existing.md"
echo "# Workflow: Secret" >"$WORK/outside/secret.md"
ln -s "$WORK/outside/secret.md" "$FLOWS/escape.md"
ln -s "$WORK/outside" "$FLOWS/out"
ln -s existing.md "$FLOWS/alias.md"

start_builder "$FLOWS"
BASE=${URL%%/\?*}
TOKEN=${URL##*token=}
PORT=${BASE##*:}
WRONG=${TOKEN%?}$([[ ${TOKEN: -1} == 0 ]] && echo 1 || echo 0) # the same length, one digit off

step "the URL is on 127.0.0.1 with a port from the kernel and a 64-hex-digit token"
[[ $URL =~ ^http://127\.0\.0\.1:[0-9]+/\?token=[0-9a-f]{64}$ ]] || fail "unexpected URL: $URL"

# http [curl options...] URL: sets CODE and BODY.
http() {
  CODE=$(curl -s -o "$WORK/body" -w '%{http_code}' "$@" || true)
  BODY=$(cat "$WORK/body")
}
api() { http -H "X-Builder-Token: $TOKEN" "$@"; }
post() { # post PATH JSON
  api -H 'Content-Type: application/json' --data-binary "$2" "$BASE$1"
}

step "nothing is served without the token, or with a wrong one"
for path in / /app.js /api/files "/api/file?path=existing.md"; do
  http "$BASE$path"
  assert_eq 401 "$CODE" "GET $path without a token"
  http -H "X-Builder-Token: $WRONG" "$BASE$path"
  assert_eq 401 "$CODE" "GET $path with a wrong token"
  http -H "Cookie: df_builder_token=$TOKEN" -H "Host: 127.0.0.1:$PORT" "$BASE$path"
  assert_eq 200 "$CODE" "GET $path with the token's cookie"
done
http -H 'Content-Type: application/json' --data-binary '{"path":"x.md","title":"X"}' "$BASE/api/new"
assert_eq 401 "$CODE" "POST without a token"
test ! -e "$FLOWS/x.md" || fail "a request without the token created a file"

step "the printed URL opens the page and hands the token over in a strict, HttpOnly cookie"
curl -s -D "$WORK/headers" -o "$WORK/page" "$URL"
assert_contains "$(cat "$WORK/headers")" "Set-Cookie: df_builder_token=$TOKEN; Path=/; HttpOnly; SameSite=Strict"
assert_contains "$(cat "$WORK/headers")" "Content-Security-Policy: default-src 'none'"
assert_contains "$(cat "$WORK/page")" '<script src="app.js" defer></script>'

step "a Host other than its own is refused (DNS rebinding), and so is a POST from another origin"
api -H "Host: attacker.example:$PORT" "$BASE/api/files"
assert_eq 403 "$CODE" "a foreign Host"
api -H 'Content-Type: application/json' -H 'Origin: http://attacker.example' \
  --data-binary '{"path":"y.md","title":"Y"}' "$BASE/api/new"
assert_eq 403 "$CODE" "a POST from another origin"
api -H 'Content-Type: text/plain' --data-binary '{"path":"y.md","title":"Y"}' "$BASE/api/new"
assert_eq 403 "$CODE" "a POST that is not JSON (a form from another site)"
test ! -e "$FLOWS/y.md" || fail "a refused request created a file"

step "the list holds the workflow files under the folder, no symlink, no other file"
api "$BASE/api/files"
assert_contains "$BODY" '"files":["existing.md"]'

step "paths outside the folder are refused: .., absolute, symlinks leading out, other files"
for path in ../outside/secret.md /etc/passwd.md "$WORK/outside/secret.md" escape.md out/secret.md notes.txt \
  .hidden.md sub/../../outside/secret.md; do
  api -G --data-urlencode "path=$path" "$BASE/api/file"
  [[ $CODE == 400 || $CODE == 404 ]] || fail "GET $path answered $CODE: $BODY"
  assert_not_contains "$BODY" "Workflow: Secret" "the answer for $path"
  post /api/save "$(jq -n --arg p "$path" '{path: $p, text: "# Workflow: Pwned\n", sha256: ""}')"
  [[ $CODE == 400 || $CODE == 404 ]] || fail "saving $path answered $CODE: $BODY"
done
assert_eq "# Workflow: Secret" "$(cat "$WORK/outside/secret.md")" "the file outside"
assert_eq "secret.md" "$(ls -A "$WORK/outside")" "the folder outside"

step "a symlink is never followed, not even one that stays inside; the error says why"
for path in escape.md out/secret.md out/new.md alias.md; do
  api -G --data-urlencode "path=$path" "$BASE/api/file"
  assert_eq 400 "$CODE" "GET $path"
  assert_contains "$BODY" "'$path' is refused: it is or passes through a symlink, and the builder follows none"
  post /api/save "$(jq -n --arg p "$path" '{path: $p, text: "# Workflow: Pwned\n", sha256: ""}')"
  assert_eq 400 "$CODE" "saving $path"
  assert_contains "$BODY" "is or passes through a symlink"
done
assert_eq "existing.md" "$(readlink "$FLOWS/alias.md")" "the symlink inside, after a save to it was refused"

step "a folder swapped for a symlink after its file was loaded: the save is refused, nothing outside changes"
printf '# Workflow: Swapped\n' >"$FLOWS/sub/swap.md"
api -G --data-urlencode "path=sub/swap.md" "$BASE/api/file"
sha=$(jq -r .sha256 <<<"$BODY")
mv "$FLOWS/sub" "$WORK/sub-moved"
ln -s "$WORK/outside" "$FLOWS/sub"
cp "$WORK/outside/secret.md" "$WORK/outside/swap.md"
post /api/save "$(jq -n --arg s "$(sha256sum <"$WORK/outside/swap.md" | cut -d' ' -f1)" \
  '{path: "sub/swap.md", text: "# Workflow: Pwned\n", sha256: $s}')"
assert_eq 400 "$CODE" "saving through the swapped folder: $BODY"
assert_contains "$BODY" "'sub/swap.md' is refused: it is or passes through a symlink"
assert_eq "# Workflow: Secret" "$(cat "$WORK/outside/swap.md")" "the file outside, named like the saved one"
api -G --data-urlencode "path=sub/swap.md" "$BASE/api/file"
assert_eq 400 "$CODE" "reading through the swapped folder"
assert_not_contains "$BODY" "Secret" "the answer for sub/swap.md"
rm "$FLOWS/sub" "$WORK/outside/swap.md"
mv "$WORK/sub-moved" "$FLOWS/sub"
[[ $sha == "$(sha256sum <"$FLOWS/sub/swap.md" | cut -d' ' -f1)" ]] || fail "the real sub/swap.md changed"

step "a save refuses to overwrite a file changed on disk since it was loaded"
api -G --data-urlencode "path=existing.md" "$BASE/api/file"
sha=$(jq -r .sha256 <<<"$BODY")
assert_eq "$(sha256sum "$FLOWS/existing.md" | cut -d' ' -f1)" "$sha" "the hash sent with the load"
echo "- Keep the last 5 runs" >>"$FLOWS/existing.md"
cp "$FLOWS/existing.md" "$WORK/changed-on-disk.md"
post /api/save "$(jq -n --arg s "$sha" '{path: "existing.md", text: "# Workflow: Mine\n", sha256: $s}')"
assert_eq 409 "$CODE" "saving over a changed file"
assert_contains "$BODY" "changed on disk since it was loaded; nothing saved"
cmp "$FLOWS/existing.md" "$WORK/changed-on-disk.md" || fail "the change on disk was overwritten"

step "a save with the current hash replaces the file atomically (a new inode, renamed into place)"
sha=$(sha256sum "$FLOWS/existing.md" | cut -d' ' -f1)
chmod 600 "$FLOWS/existing.md"
inode=$(stat -c %i "$FLOWS/existing.md")
exec {old}<"$FLOWS/existing.md" # a reader that opened the old file keeps reading the old bytes
post /api/save "$(jq -n --arg s "$sha" '{path: "existing.md", text: "# Workflow: Mine\n", sha256: $s}')"
assert_eq 200 "$CODE" "saving with the current hash: $BODY"
assert_eq "# Workflow: Mine" "$(cat "$FLOWS/existing.md")" "the saved file"
assert_eq "$(printf '# Workflow: Mine\n' | sha256sum | cut -d' ' -f1)" "$(jq -r .sha256 <<<"$BODY")" "the new hash"
[[ $(stat -c %i "$FLOWS/existing.md") != "$inode" ]] || fail "the file was rewritten in place"
assert_eq 600 "$(stat -c %a "$FLOWS/existing.md")" "the saved file's permissions"
cmp <(cat <&"$old") "$WORK/changed-on-disk.md" || fail "the old file changed under its reader"
exec {old}<&-
leftovers=$(find "$FLOWS" -name '.*' -type f)
assert_eq "" "$leftovers" "temporary files left in the folder"

step "a CRLF file comes to the page with LF and is saved with CRLF again; so is a missing final line break"
# save_as_page FILE TEXT: loads FILE as the page does, saves TEXT (LF, as a browser's textarea sends it)
save_as_page() {
  api -G --data-urlencode "path=$1" "$BASE/api/file"
  LOADED=$BODY
  post /api/save "$(jq -n --arg p "$1" --arg t "$2" --arg s "$(jq -r .sha256 <<<"$LOADED")" \
    '{path: $p, text: $t, sha256: $s}')"
  assert_eq 200 "$CODE" "saving $1: $BODY"
  assert_eq "$(sha256sum <"$FLOWS/$1" | cut -d' ' -f1)" "$(jq -r .sha256 <<<"$BODY")" "the hash of the saved $1"
}
printf '# Workflow: Windows\r\n\r\n## Description\r\nWritten on Windows.\r\n' >"$FLOWS/crlf.md"
save_as_page crlf.md $'# Workflow: Windows\n\n## Description\nEdited in the page.\n'
assert_eq crlf "$(jq -r .line_endings <<<"$LOADED")" "the line endings the page is told"
assert_eq true "$(jq -r .final_newline <<<"$LOADED")" "the final line break the page is told"
[[ $(jq -r .text <<<"$LOADED") != *$'\r'* ]] || fail "the page got carriage returns"
printf '# Workflow: Windows\r\n\r\n## Description\r\nEdited in the page.\r\n' >"$WORK/expected"
cmp "$FLOWS/crlf.md" "$WORK/expected" || fail "crlf.md lost its CRLF line endings: $(od -c "$FLOWS/crlf.md" | head)"
printf '# Workflow: Bare\n\n## Description\nNo line break at the end.' >"$FLOWS/bare.md"
save_as_page bare.md $'# Workflow: Bare\n\n## Description\nStill none.\n'
assert_eq false "$(jq -r .final_newline <<<"$LOADED")" "the final line break of bare.md"
printf '# Workflow: Bare\n\n## Description\nStill none.' >"$WORK/expected"
cmp "$FLOWS/bare.md" "$WORK/expected" || fail "bare.md gained a final line break"
printf '# Workflow: Both\r\n\r\n## Description\r\nCRLF, no break at the end.' >"$FLOWS/both.md"
save_as_page both.md $'# Workflow: Both\r\n\r\n## Description\r\nA client that sends CRLF.\r\n'
printf '# Workflow: Both\r\n\r\n## Description\r\nA client that sends CRLF.' >"$WORK/expected"
cmp "$FLOWS/both.md" "$WORK/expected" || fail "both.md: $(od -c "$FLOWS/both.md" | tail -3)"
post /api/save '{"path": "sub/new-lf.md", "text": "# Workflow: Fresh", "sha256": ""}'
assert_eq 200 "$CODE" "saving a new file: $BODY"
assert_eq "$(printf '# Workflow: Fresh\n' | od -c)" "$(od -c <"$FLOWS/sub/new-lf.md")" "a new file: LF, a final line break"

step "a new workflow is created once; a second create of the same file is refused"
post /api/new '{"path":"sub/new.md","title":"Brand New","description":"Made by the builder."}'
assert_eq 200 "$CODE" "creating sub/new.md: $BODY"
assert_eq "# Workflow: Brand New" "$(head -n 1 "$FLOWS/sub/new.md")"
post /api/new '{"path":"sub/new.md","title":"Again"}'
assert_eq 409 "$CODE" "creating it again"
assert_eq "# Workflow: Brand New" "$(head -n 1 "$FLOWS/sub/new.md")" "the first file"

step "check answers what compile --check prints, with the file's name"
text=$(jq -Rs . <"$DF_SRC/tests/data/bad/bad-cron.md")
post /api/check "{\"path\":\"sub/bad.md\",\"text\":$text}"
assert_eq 200 "$CODE"
assert_eq 1 "$(jq -r .exit_code <<<"$BODY")" "a bad workflow's exit code"
assert_contains "$(jq -r .diagnostics <<<"$BODY")" "sub/bad.md:"
assert_contains "$(jq -r .diagnostics <<<"$BODY")" ": error: "

step "the dry run passes inputs as data, never through a shell"
post /api/dry-run "$(jq -n --rawfile t "$DF_SRC/workflow-templates/backup-data.md" --arg w "$WORK" \
  '{path: "b.md", text: $t, inputs: {source_dir: ("$(touch " + $w + "/pwned)"), backup_dir: "/b"}}')"
assert_eq 200 "$CODE" "the dry run: $BODY"
assert_eq 0 "$(jq -r .exit_code <<<"$BODY")" "run --dry-run's exit code"
assert_contains "$(jq -r .output <<<"$BODY")" "source_dir = \"\$(touch $WORK/pwned)\""
test ! -e "$WORK/pwned" || fail "an input value was run by a shell"
post /api/dry-run "$(jq -n --rawfile t "$DF_SRC/workflow-templates/backup-data.md" \
  '{path: "b.md", text: $t, inputs: {"x --json": "1"}}')"
assert_eq 400 "$CODE" "an input name that is not one"

step "an edit that cannot be made is an error with a reason"
post /api/edit '{"op":"add_bullet","section":"guardrails","text":"# Workflow: X\n","bullet":"a\n## Steps"}'
assert_eq 400 "$CODE"
assert_contains "$BODY" "one line of text"

step "SIGINT stops the builder cleanly"
stop_builder INT
http "$BASE/api/files"
assert_eq 000 "$CODE" "an answer after the stop"
echo "ok"
