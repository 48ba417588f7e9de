#!/usr/bin/env bash
# Provenance of deploys (docs/evidence.md): each deploy, rollback and removal appends an in-toto Statement
# with an SLSA provenance v1 predicate to the hash-chained ledger beside the registry, signed with
# DF_EVIDENCE_KEY; `deploy --evidence NAME` prints the newest as a DSSE envelope openssl alone verifies;
# `monitor --verify-evidence --key PUB` checks the ledger offline and names each tampered line.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/deploy_lib.sh"
start_standin
make_skill hello
openssl genpkey -algorithm ed25519 -out "$WORK/key.pem" 2>/dev/null
openssl pkey -in "$WORK/key.pem" -pubout -out "$WORK/pub.pem"
openssl genpkey -algorithm ed25519 -out "$WORK/other.pem" 2>/dev/null
openssl pkey -in "$WORK/other.pem" -pubout -out "$WORK/other-pub.pem"
export DF_EVIDENCE_KEY=$WORK/key.pem
ledger=${REGISTRY%.json}.evidence.jsonl
stmt() { sed -n "$1p" "$ledger" | jq -c .entry.statement; }

step "a deploy appends a signed provenance entry: skill folder, workflow source, commit, deployment, who, when"
expect_exit 0 deploy --poll-interval 200ms "$WORK/skills/hello"
assert_eq 1 "$(wc -l <"$ledger")" "ledger lines"
s=$(stmt 1)
invocation() { stmt "$1" | jq -r .predicate.runDetails.metadata.invocationId; }
assert_eq "$(reg '.skills.hello.history[-1].id')" "$(invocation 1)" "invocationId: the deploy's registry entry"
commit=$(git --git-dir="$REMOTE" rev-parse refs/heads/df/hello)
assert_eq "hello $commit" "$(jq -r '.subject[0] | "\(.name) \(.digest.gitCommit)"' <<<"$s")" subject
folder=$( (cd "$WORK/skills/hello" && find . -path ./state -prune -o -type f -print | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -c1-64)
assert_eq "$folder" "$(jq -r '.subject[0].digest.sha256' <<<"$s")" "skill folder digest (the documented recipe)"
assert_eq "$(jq -r .source.sha256 "$WORK/skills/hello/skill.json")" \
  "$(jq -r '.predicate.buildDefinition.resolvedDependencies[0].digest.sha256' <<<"$s")" "workflow source digest"
assert_eq "https://slsa.dev/provenance/v1 urn:dark-factory:deploy:v1 deploy" \
  "$(jq -r '"\(.predicateType) \(.predicate.buildDefinition.buildType) \(.predicate.buildDefinition.externalParameters.action)"' <<<"$s")" "SLSA shape"
assert_eq "$(reg '.skills.hello.history[-1].deployment_uuid')" \
  "$(jq -r '.predicate.runDetails.byproducts[0].annotations.deployment_uuid' <<<"$s")" "Coolify deployment id"
assert_eq "finished 0" "$(jq -r '.predicate.outcome | "\(.status) \(.exit_code)"' <<<"$s")" outcome
assert_contains "$(jq -r .predicate.outcome.actor <<<"$s")" "@" actor
[[ $(jq -r .predicate.runDetails.metadata.finishedOn <<<"$s") =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$ ]] ||
  fail "finishedOn is not an SLSA timestamp: $s"

step "a changed redeploy, a rollback and a removal each append one, chained"
echo "# changed" >>"$WORK/skills/hello/README.md"
expect_exit 0 deploy --poll-interval 200ms "$WORK/skills/hello"
expect_exit 0 deploy --poll-interval 200ms --rollback hello
assert_eq rollback "$(reg '.skills.hello.history[-1].kind')" "the rollback's registry entry"
assert_eq "$(reg '.skills.hello.history[-1].id')" "$(invocation 3)" "invocationId: the rollback's registry entry"
expect_exit 0 deploy --remove hello
assert_eq remove "$(reg '.skills.hello.history[-1].kind')" "the removal's registry entry"
assert_eq "$(reg '.skills.hello.history[-1].id')" "$(invocation 4)" "invocationId: the removal's registry entry"
assert_eq "deploy deploy rollback remove" "$(jq -r .entry.action "$ledger" | tr '\n' ' ' | sed 's/ $//')" actions
assert_eq "$commit" "$(stmt 3 | jq -r '.subject[0].digest.gitCommit')" "the rollback's commit"
assert_eq "$(sed -n 2p "$ledger" | sha256sum | cut -c1-64)" "$(sed -n 3p "$ledger" | jq -r .entry.prev_sha256)" chain

step "deploy --evidence NAME: the newest Statement in a DSSE envelope; openssl alone verifies it"
expect_exit 0 deploy --evidence hello
printf '%s\n' "$OUT" >"$WORK/ev.json"
jq -r .payload "$WORK/ev.json" | base64 -d >"$WORK/stmt.json"
assert_eq "$(stmt 4)" "$(jq -c . "$WORK/stmt.json")" "the payload is the ledger's Statement"
pt=$(jq -r .payloadType "$WORK/ev.json")
{ printf 'DSSEv1 %d %s %d ' "${#pt}" "$pt" "$(wc -c <"$WORK/stmt.json")" && cat "$WORK/stmt.json"; } >"$WORK/pae.bin"
jq -r '.signatures[0].sig' "$WORK/ev.json" | base64 -d >"$WORK/sig.bin"
openssl pkeyutl -verify -pubin -inkey "$WORK/pub.pem" -rawin -in "$WORK/pae.bin" -sigfile "$WORK/sig.bin" >/dev/null ||
  fail "openssl does not verify deploy's envelope"
expect_exit 66 deploy --evidence nothing-here
expect_exit 64 deploy --evidence hello "$WORK/skills/hello"

step "monitor --verify-evidence: offline (no Coolify settings), chained, signed by the key"
expect_exit 0 env -u COOLIFY_URL -u COOLIFY_TOKEN "$DF_BIN/df-monitor" --verify-evidence --key "$WORK/pub.pem"
assert_contains "$OUT" "4 entries verified"
expect_exit 1 monitor --verify-evidence --key "$WORK/other-pub.pem"
assert_contains "$ERR" "line 1 (entry 1): the signature does not verify"
expect_exit 64 monitor hello --verify-evidence

step "tamper: an edited entry, a dropped line, swapped lines, a cut line — each named"
cp "$ledger" "$WORK/good.jsonl"
sed -i '2s/"status":"finished"/"status":"failed"/' "$ledger"
expect_exit 1 monitor --verify-evidence --key "$WORK/pub.pem"
assert_contains "$ERR" "line 2 (entry 2): the signature does not verify"
assert_contains "$ERR" "line 3 (entry 3): prev_sha256"
cp "$WORK/good.jsonl" "$ledger" && sed -i 2d "$ledger"
expect_exit 1 monitor --verify-evidence --json
assert_contains "$OUT" "line 2: line 2 (entry 3): holds entry 3 where entry 2 belongs"
assert_eq false "$(jq -r .verified <<<"$OUT")" verified
{ sed -n 2p "$WORK/good.jsonl" && sed -n 1p "$WORK/good.jsonl" && sed -n '3,$p' "$WORK/good.jsonl"; } >"$ledger"
expect_exit 1 monitor --verify-evidence
assert_contains "$ERR" "line 1 (entry 2): holds entry 2 where entry 1 belongs"
head -c -25 "$WORK/good.jsonl" >"$ledger"
expect_exit 1 monitor --verify-evidence
assert_contains "$ERR" "line 4 is cut short (no line end)"
echo PASS
