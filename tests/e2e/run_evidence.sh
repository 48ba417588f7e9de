#!/usr/bin/env bash
# Compliance evidence of runs (docs/evidence.md): every finished run appends a hash-chained, signed entry to
# the skill's ledger; `run --evidence` makes an in-toto Statement in a DSSE envelope that openssl alone and an
# independent shape check accept; `--verify-evidence` and `--verify-ledger` find every tampering of the
# battery with a message that names the line and what differs; 10 concurrent runs lose no entry; a machine
# that never ran the skill verifies with the bundle and the public key only.
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
# shellcheck source=run_lib.sh
source "$(dirname "$0")/run_lib.sh"
cd "$WORK" || exit
unset DF_EVIDENCE_KEY

skill evidence <<'MD'
# Workflow: Evidence Check

## Inputs
- `service` (required): The service
- `api_token` (optional, secret): A token nobody may read

## Steps
### 1. Build
```sh
echo "commit=abc123" >> "$DF_OUTPUT"
```

### 2. Check
```sh
test -n "$service"
```
MD
openssl genpkey -algorithm ed25519 -out key.pem 2>/dev/null
openssl pkey -in key.pem -pubout -out pub.pem
openssl genpkey -algorithm ed25519 -out other.pem 2>/dev/null
openssl pkey -in other.pem -pubout -out other-pub.pem
ledger=$SKILL/state/evidence/ledger.jsonl
evidence_skill=$SKILL
sha() { sha256sum "$1" | cut -c1-64; }
entry() { sed -n "$1p" "$ledger"; }

# The recipe of docs/evidence.md ("Check a signature with openssl alone"), step by step.
openssl_verify() { # ENVELOPE PUBLIC_KEY
  local pt
  pt=$(jq -r .payloadType "$1")
  jq -r .payload "$1" | base64 -d >stmt.json
  { printf 'DSSEv1 %d %s %d ' "$(printf %s "$pt" | wc -c)" "$pt" "$(wc -c <stmt.json)" && cat stmt.json; } >pae.bin
  jq -r '.signatures[0].sig' "$1" | base64 -d >sig.bin
  openssl pkeyutl -verify -pubin -inkey "$2" -rawin -in pae.bin -sigfile sig.bin
}

step "a finished run appends a signed entry: the record's SHA-256, skill.json's, the first chains to zeros"
expect_exit 0 env DF_EVIDENCE_KEY=key.pem "$SKILL/run" --service api --api_token 'tok-SECRET-1'
id1=$(run_id_of "$OUT")
assert_contains "$ERR" "run: $id1: succeeded" "stderr after the ledger entry (the seal must not silence it)"
assert_eq 1 "$(wc -l <"$ledger")" "ledger lines"
assert_eq "1 $id1 succeeded" "$(entry 1 | jq -r '.entry | "\(.seq) \(.run_id) \(.status)"')" entry
assert_eq "$(sha "$(record "$id1")")" "$(entry 1 | jq -r .entry.record_sha256)" record_sha256
assert_eq "$(sha "$SKILL/skill.json")" "$(entry 1 | jq -r .entry.skill_json_sha256)" skill_json_sha256
assert_eq "$(printf '0%.0s' {1..64})" "$(entry 1 | jq -r .entry.prev_sha256)" "first prev"
[[ $(entry 1 | jq -r .sig) =~ ^[A-Za-z0-9+/]{86}==$ ]] || fail "no Ed25519 signature: $(entry 1)"
expect_exit 0 env DF_EVIDENCE_KEY=key.pem "$SKILL/run" --service web
id2=$(run_id_of "$OUT")
assert_eq "$(entry 1 | sha256sum | cut -c1-64)" "$(entry 2 | jq -r .entry.prev_sha256)" "chain"

step "run --evidence: an in-toto Statement in a DSSE envelope, signed; openssl alone verifies it"
expect_exit 0 env DF_EVIDENCE_KEY=key.pem "$SKILL/run" --evidence "$id1"
printf '%s\n' "$OUT" >ev1.json
assert_eq application/vnd.in-toto+json "$(jq -r .payloadType ev1.json)" payloadType
assert_eq "$(openssl pkey -pubin -in pub.pem -outform DER | sha256sum | cut -c1-64)" \
  "$(jq -r '.signatures[0].keyid' ev1.json)" keyid
openssl_verify ev1.json pub.pem >openssl.out || fail "openssl does not verify the envelope: $(cat openssl.out)"
assert_contains "$(cat openssl.out)" "Signature Verified Successfully"
if openssl_verify ev1.json other-pub.pem >/dev/null 2>&1; then fail "openssl verifies with another key"; fi

step "the Statement has the in-toto Statement v1 shape (checked by python3, independently of run)"
python3 - stmt.json <<'PY' || fail "not an in-toto Statement v1"
import json, re, sys
s = json.load(open(sys.argv[1]))
hexre = re.compile(r"^[0-9a-f]+$")
assert set(s) <= {"_type", "subject", "predicateType", "predicate"}, set(s)
assert s["_type"] == "https://in-toto.io/Statement/v1"
assert isinstance(s["subject"], list) and s["subject"]
for d in s["subject"]:
    assert isinstance(d.get("digest"), dict) and d["digest"], d
    for alg, v in d["digest"].items():
        assert re.match(r"^[a-z0-9_]+$", alg) and hexre.match(v), (alg, v)
    assert "name" not in d or isinstance(d["name"], str)
assert isinstance(s["predicateType"], str) and re.match(r"^[a-z][a-z0-9+.-]*:", s["predicateType"])
assert isinstance(s.get("predicate", {}), dict)
PY

step "the predicate: workflow source and compiler, inputs with a salted hash for the secret, steps, ledger"
p=$(jq -c .predicate stmt.json)
assert_eq "$(sha "$(record "$id1")")" "$(jq -r '.subject[0].digest.sha256' stmt.json)" subject
assert_eq "$(jq -r .source.sha256 "$SKILL/skill.json") $(jq -r .compiler.version "$SKILL/skill.json")" \
  "$(jq -r '"\(.workflow.source.digest.sha256) \(.workflow.compiler.version)"' <<<"$p")" "source and compiler"
assert_eq api "$(jq -r .inputs.service <<<"$p")" "plain input"
assert_eq '***' "$(jq -r .inputs.api_token.value <<<"$p")" "secret shown masked"
salt=$(jq -r .secret_salt <<<"$p")
assert_eq "$(printf '%s%s' "$salt" 'tok-SECRET-1' | sha256sum | cut -c1-64)" \
  "$(jq -r .inputs.api_token.salted_sha256 <<<"$p")" "the value is confirmed by salt + value"
assert_not_contains "$(cat ev1.json stmt.json "$ledger")" "tok-SECRET-1" "evidence"
assert_eq "$(jq -j '.steps[0].commands' "$SKILL/skill.json" | sha256sum | cut -c1-64)" \
  "$(jq -r '.steps[0].commands_sha256' <<<"$p")" "commands digest"
assert_eq "succeeded 1 0 abc123" \
  "$(jq -r '.steps[0] | "\(.status) \(.attempts) \(.exit_code) \(.outputs.commit)"' <<<"$p")" "step facts"
assert_eq "1 $(entry 1 | sha256sum | cut -c1-64) true" \
  "$(jq -r '.ledger | "\(.seq) \(.entry_sha256) \(.entry_signed)"' <<<"$p")" "ledger position"

step "run --verify-evidence and --verify-ledger accept the untouched evidence"
expect_exit 0 "$SKILL/run" --verify-evidence ev1.json --key pub.pem
assert_contains "$ERR" "record and ledger entry match"
expect_exit 0 "$SKILL/run" --verify-ledger --key pub.pem
assert_contains "$ERR" "2 entries, chained and signed"

step "a machine that never ran the skill: the bundle and the public key, in a fresh folder"
fresh=$(mktemp -d)
on_exit "rm -rf '$fresh'"
compile "$WORK/src/evidence.md" -o "$fresh/skills" >/dev/null 2>&1
cp ev1.json pub.pem "$fresh/"
cp "$(record "$id1")" "$fresh/record.json"
(cd "$fresh" && DF_STATE_DIR=$fresh/empty "$fresh/skills/evidence-check/run" --verify-evidence ev1.json --key pub.pem) \
  2>fresh.err || fail "fresh verification failed: $(cat fresh.err)"
assert_contains "$(cat fresh.err)" "run record not checked"
(cd "$fresh" && DF_STATE_DIR=$fresh/empty "$fresh/skills/evidence-check/run" --verify-evidence ev1.json --key pub.pem \
  --record record.json) 2>fresh.err || fail "fresh verification with the record failed: $(cat fresh.err)"
[[ ! -e $fresh/empty ]] || fail "verification wrote a state folder"

# Each tampering on a copy of the state folder: DF_STATE_DIR points at it.
tampered() { rm -rf t && cp -r "$SKILL/state" t && export DF_STATE_DIR=$WORK/t; }
tl=$WORK/t/evidence/ledger.jsonl

step "tamper: one byte of a record is changed"
tampered
sed -i 's/"commit": "abc123"/"commit": "abc124"/' "t/runs/$id1.json"
expect_exit 1 "$SKILL/run" --verify-ledger --key pub.pem
assert_contains "$ERR" "run $id1: its record differs from the one its entry sealed"
expect_exit 1 "$SKILL/run" --verify-evidence ev1.json --key pub.pem
assert_contains "$ERR" "differs from the Statement's subject"
expect_exit 65 "$SKILL/run" --evidence "$id1"
assert_contains "$ERR" "it was changed after the run ended"

step "tamper: a ledger line is dropped (the first, then the last)"
tampered
sed -i 1d "$tl"
expect_exit 1 "$SKILL/run" --verify-ledger
assert_contains "$ERR" "line 1 (entry 2, run $id2): holds entry 2 where entry 1 belongs"
assert_contains "$ERR" "prev_sha256"
tampered
sed -i 2d "$tl"
expect_exit 1 "$SKILL/run" --verify-ledger --key pub.pem
assert_contains "$ERR" "run $id2 has ended but has no ledger entry"

step "tamper: two lines are swapped"
tampered
{ entry 2 && entry 1; } >"$tl"
expect_exit 1 "$SKILL/run" --verify-ledger --key pub.pem
assert_contains "$ERR" "line 1 (entry 2, run $id2): holds entry 2 where entry 1 belongs"
assert_contains "$ERR" "line 2 (entry 1, run $id1): holds entry 1 where entry 2 belongs"

step "tamper: an entry is rewritten to seal a changed record (its signature no longer verifies)"
tampered
sed -i 's/"commit": "abc123"/"commit": "evil"/' "t/runs/$id1.json"
new=$(sha "t/runs/$id1.json")
sed -i "1s/\"record_sha256\":\"[0-9a-f]*\"/\"record_sha256\":\"$new\"/" "$tl"
expect_exit 1 "$SKILL/run" --verify-ledger --key pub.pem
assert_contains "$ERR" "line 1 (entry 1, run $id1): the signature does not verify with pub.pem"
assert_contains "$ERR" "line 2 (entry 2, run $id2): prev_sha256"

step "tamper: the envelope's signature is replaced by another envelope's"
unset DF_STATE_DIR
expect_exit 0 env DF_EVIDENCE_KEY=key.pem "$SKILL/run" --evidence "$id2"
printf '%s\n' "$OUT" >ev2.json
jq --slurpfile o ev2.json '.signatures = $o[0].signatures' ev1.json >swapped.json
expect_exit 1 "$SKILL/run" --verify-evidence swapped.json --key pub.pem
assert_contains "$ERR" "no signature verifies with pub.pem"
jq '.payload |= (@base64d | sub("\"abc123\""; "\"abc999\"") | @base64)' ev1.json >edited.json
expect_exit 1 "$SKILL/run" --verify-evidence edited.json --key pub.pem
assert_contains "$ERR" "no signature verifies with pub.pem"

step "tamper: signed with another key (envelope and ledger)"
expect_exit 0 env DF_EVIDENCE_KEY=other.pem "$SKILL/run" --evidence "$id1"
printf '%s\n' "$OUT" >other.json
expect_exit 1 "$SKILL/run" --verify-evidence other.json --key pub.pem
assert_contains "$ERR" "no signature verifies with pub.pem"
expect_exit 0 "$SKILL/run" --verify-evidence other.json --key other-pub.pem
expect_exit 0 env DF_EVIDENCE_KEY=other.pem "$SKILL/run" --service x
id3=$(run_id_of "$OUT")
expect_exit 1 "$SKILL/run" --verify-ledger --key pub.pem
assert_contains "$ERR" "line 3 (entry 3, run $id3): the signature does not verify with pub.pem"

step "tamper: the ledger is cut mid-line (a crash while appending); the next run chains on, it never verifies"
tampered
head -c -40 "$tl" >t/cut && mv t/cut "$tl"
expect_exit 1 "$SKILL/run" --verify-ledger
assert_contains "$ERR" "line 3 is cut short (no line end)"
expect_exit 0 env DF_EVIDENCE_KEY=key.pem "$SKILL/run" --service after-crash
id4=$(run_id_of "$OUT")
assert_eq "4 $id4" "$(sed -n 4p "$tl" | jq -r '.entry | "\(.seq) \(.run_id)"')" "the entry after the cut line"
expect_exit 1 "$SKILL/run" --verify-ledger
assert_contains "$ERR" "line 3 is not a ledger entry"
assert_contains "$ERR" "run $id3 has ended but has no ledger entry"
assert_not_contains "$ERR" "line 4"
assert_contains "$ERR" "2 problem(s)"
unset DF_STATE_DIR

step "unsigned: without DF_EVIDENCE_KEY the envelope says so and does not verify with a key"
expect_exit 0 "$SKILL/run" --evidence "$id2"
printf '%s\n' "$OUT" >unsigned.json
assert_contains "$ERR" "DF_EVIDENCE_KEY is not set: the envelope is unsigned"
assert_eq 0 "$(jq '.signatures | length' unsigned.json)" signatures
expect_exit 1 "$SKILL/run" --verify-evidence unsigned.json --key pub.pem
assert_contains "$ERR" "is unsigned"

step "10 concurrent runs append without losing an entry; the chain verifies"
pids=()
for i in 1 2 3 4 5 6 7 8 9 10; do
  DF_EVIDENCE_KEY=key.pem "$SKILL/run" --service "c$i" >"conc.$i" 2>&1 &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || fail "a concurrent run failed"; done
assert_eq 13 "$(wc -l <"$ledger")" "ledger lines"
for i in 1 2 3 4 5 6 7 8 9 10; do
  grep -q "\"run_id\":\"$(run_id_of "$(tail -n 1 "conc.$i")")\"" "$ledger" || fail "run $i has no entry"
done
assert_eq "$(seq 1 13 | tr '\n' ' ')" "$(jq -r .entry.seq "$ledger" | tr '\n' ' ')" "entry numbers"
expect_exit 1 "$SKILL/run" --verify-ledger --key pub.pem
assert_eq 1 "$(grep -c 'signature does not verify' <<<"$ERR")" "only the entry signed with the other key fails"

step "an approval: who, when and how"
skill gated <<'MD'
# Workflow: Gated

## Steps
### 1. Ship
```sh
echo shipped
```

## Guardrails
- Requires manual approval, within 2 minutes
MD
expect_exit 4 "$SKILL/run" --no-wait
gid=$(run_id_of "$OUT")
expect_exit 0 "$SKILL/run" --approve "$gid" --by alice
wait_status "$gid" succeeded
wait_for test -s "$SKILL/state/evidence/ledger.jsonl"
expect_exit 0 "$SKILL/run" --evidence "$gid"
assert_eq "approved alice command line" \
  "$(jq -r '.payload | @base64d | fromjson | .predicate.approval | "\(.status) \(.by) \(.via)"' <<<"$OUT")" approval
assert_contains "$(jq -r '.payload | @base64d' <<<"$OUT")" '"decision":"approved"'

step "child runs (a hand-made record with children) are named by their evidence digests"
parent=20261203T000000Z-0000000a child=20261203T000000Z-0000000b
runs=$SKILL/state/runs
jq --arg id "$child" '.run_id = $id' "$runs/$gid.json" >"$runs/$child.json"
jq --arg id "$parent" --arg c "$child" '.run_id = $id | .children = [{run_id: $c, skill: "gated", status: "succeeded"}]' \
  "$runs/$gid.json" >"$runs/$parent.json"
(
  set +u
  source "$SKILL/lib/runtime.sh" && source "$SKILL/lib/evidence.sh"
  _DF_SKILL_DIR=$SKILL _DF_MANIFEST=$SKILL/skill.json _DF_SECRETS=' '
  df_state_paths
  for _DF_RUN_ID in "$child" "$parent"; do
    _DF_REC=$runs/$_DF_RUN_ID.json
    df_evidence_seal succeeded
  done
) || fail "sealing the hand-made records failed"
expect_exit 0 "$SKILL/run" --evidence "$parent"
assert_eq "$child $(sha "$runs/$child.json")" \
  "$(jq -r '.payload | @base64d | fromjson | .predicate.children[0] | "\(.run_id) \(.digest.sha256)"' <<<"$OUT")" child
expect_exit 0 "$SKILL/run" --verify-ledger

step "a run that ended before evidence existed (before the ledger's first run) is not reported missing"
jq '.run_id = "20200101T000000Z-0000000c" | .started_at = "2020-01-01T00:00:00.000Z" | .ended_at = "2020-01-01T00:00:01.000Z"' \
  "$runs/$gid.json" >"$runs/20200101T000000Z-0000000c.json"
expect_exit 0 "$SKILL/run" --verify-ledger
jq '.run_id = "20300101T000000Z-0000000d" | .ended_at = "2030-01-01T00:00:01.000Z"' "$runs/$gid.json" \
  >"$runs/20300101T000000Z-0000000d.json"
expect_exit 1 "$SKILL/run" --verify-ledger
assert_contains "$ERR" "run 20300101T000000Z-0000000d has ended but has no ledger entry"
rm "$runs/20300101T000000Z-0000000d.json"

step "an agent step: the request and reply digests with the agent id, one per attempt"
skill agentic <<'MD'
# Workflow: Agentic

## Steps
### 1. Think it over
- Retries: 0

Decide what to do and report it.
MD
start_gateway --outputs '{"decision": "ship"}'
expect_exit 0 env OPENCLAW_GATEWAY_URL="$GW_URL" OPENCLAW_GATEWAY_TOKEN="$GW_TOKEN" OPENCLAW_AGENT=ops "$SKILL/run"
aid=$(run_id_of "$OUT")
expect_exit 0 "$SKILL/run" --evidence "$aid"
calls=$(jq -c '.payload | @base64d | fromjson | .predicate.steps[0].agent_calls' <<<"$OUT")
assert_eq 1 "$(jq length <<<"$calls")" "agent calls"
assert_eq ops "$(jq -r '.[0].agent' <<<"$calls")" "agent id"
assert_eq "$(tail -n 1 "$GW_LOG" | jq .body | sha256sum | cut -c1-64)" "$(jq -r '.[0].request_sha256' <<<"$calls")" \
  "the digest of the request the Gateway received"
[[ $(jq -r '.[0].reply_sha256' <<<"$calls") =~ ^[0-9a-f]{64}$ ]] || fail "no reply digest: $calls"

step "usage and missing things have their exit codes"
expect_exit 64 "$SKILL/run" --verify-evidence ev1.json
expect_exit 66 "$SKILL/run" --verify-evidence nothing.json --key pub.pem
expect_exit 65 "$SKILL/run" --verify-evidence pub.pem --key pub.pem
expect_exit 66 "$SKILL/run" --evidence 20200101T000000Z-00000000
expect_exit 64 "$SKILL/run" --evidence not-a-run-id

step "an option's value is never taken for an evidence command: the words are the inputs' values; in an option's place it is one"
SKILL=$evidence_skill
expect_exit 0 "$SKILL/run" --service --evidence --api_token --verify-ledger
vid=$(run_id_of "$OUT")
assert_eq "--evidence succeeded" "$(field "$vid" '"\(.inputs.service) \(.status)"')" "the run and its input"
expect_exit 0 "$SKILL/run" --service=--verify-evidence
assert_eq "--verify-evidence" "$(field "$(run_id_of "$OUT")" .inputs.service)" "an --input=VALUE"
expect_exit 64 "$SKILL/run" --service x --evidence
assert_contains "$ERR" "unexpected argument '--service' for an evidence command"

step "the seal takes the last line from the head file and its lock by builtins: it starts sha256sum only (counted, not timed)"
# Each program the seal might start is wrapped to note its name. Without bash's loadable builtins there is
# no head file to trust, and it reads the ledger's end (tail), and the lock is made and removed by the ln
# and unlink programs; the next run finds the head stale (the ledger grew past it) and reads the end too,
# then the head is current again.
mkdir -p wrap
for prog in flock sha256sum tail wc openssl base64 ln unlink; do
  printf '#!/bin/bash\necho %s >>"$PROG_LOG"\nexec %q "$@"\n' "$prog" "$(command -v "$prog")" >"wrap/$prog"
  chmod +x "wrap/$prog"
done
export PROG_LOG=$WORK/programs.log
seal_programs() { # [VAR=VALUE...]: the programs one run started, sorted, on one line
  : >"$PROG_LOG"
  env PATH="$WORK/wrap:$PATH" "$@" "$SKILL/run" --service counted >/dev/null 2>&1 || fail "the counted run failed"
  sort "$PROG_LOG" | xargs
}
[[ -r /usr/lib/bash/stat ]] || skip "Debian's bash-builtins is not installed (./bin/setup installs it)"
SKILL=$evidence_skill
tampered
assert_eq "sha256sum" "$(seal_programs)" "with the head file"
assert_eq "ln sha256sum tail unlink unlink" "$(seal_programs BASH_LOADABLES_PATH=/nonexistent)" "without the loadables"
assert_eq "sha256sum tail" "$(seal_programs)" "after a seal that left the head stale"
assert_eq "sha256sum" "$(seal_programs)" "with the head file again"
expect_exit 0 "$SKILL/run" --verify-ledger

step "a run that died holding the ledger's lock: the next run takes the lock over and chains on"
# The lock file names its holder: pid, start time (field 22 of /proc/PID/stat), boot id, pid namespace.
boot=$(cat /proc/sys/kernel/random/boot_id)
start_of() { sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f20; }
holder=t/evidence/ledger.holder
tampered
n=$(wc -l <"$tl")
sh -c 'exit 0' &
dead=$!
wait "$dead"
printf '%s 12345 %s ?\n' "$dead" "$boot" >"$holder" # that pid has ended
expect_exit 0 "$SKILL/run" --service after-dead-holder
printf '%s %s 00000000-0000-0000-0000-000000000000 ?\n' "$$" "$(start_of $$)" >"$holder" # a live pid, an earlier boot
expect_exit 0 "$SKILL/run" --service after-earlier-boot
printf '%s %s %s ?\n' "$$" "$(($(start_of $$) + 1))" "$boot" >"$holder" # the pid now runs another process
expect_exit 0 "$SKILL/run" --service after-reused-pid
assert_eq "$(seq 1 $((n + 3)) | xargs)" "$(jq -r .entry.seq "$tl" | xargs)" "entry numbers"
[[ ! -e $holder ]] || fail "the lock is left behind: $(cat "$holder")"
expect_exit 0 "$SKILL/run" --verify-ledger

step "a live holder of the ledger's lock is waited for; when it ends, its lock is taken over"
tampered
n=$(wc -l <"$tl")
sleep 120 &
live=$!
printf '%s %s %s ?\n' "$live" "$(start_of "$live")" "$boot" >"$holder"
"$SKILL/run" --service waits >waits.out 2>waits.err &
waiting=$!
# The waiting seal's own lock file, made before its first try: it is still trying.
wait_for compgen -G "t/evidence/.holder.*"
assert_eq "$n" "$(wc -l <"$tl")" "ledger lines while the lock is held"
kill "$live"
wait "$live" 2>/dev/null || true
wait "$waiting" || fail "the waiting run failed: $(cat waits.err)"
assert_eq "$((n + 1)) $(run_id_of "$(cat waits.out)")" "$(tail -n 1 "$tl" | jq -r '.entry | "\(.seq) \(.run_id)"')" \
  "the waiting run's entry"
[[ ! -e $holder ]] || fail "the lock is left behind: $(cat "$holder")"
expect_exit 0 "$SKILL/run" --verify-ledger

step "a crash between the ledger line and the head file: the next entry chains to the ledger's last line"
tampered
n=$(wc -l <"$tl")
cp t/evidence/ledger.head head.before
expect_exit 0 "$SKILL/run" --service crash-1
cp head.before t/evidence/ledger.head # as if that run had died after appending its line
expect_exit 0 "$SKILL/run" --service crash-2
assert_eq "$(seq 1 $((n + 2)) | xargs)" "$(jq -r .entry.seq "$tl" | xargs)" "entry numbers"
expect_exit 0 "$SKILL/run" --verify-ledger

step "an edit of the last line that keeps its length: the next entry chains to the line as written, and shows it"
tampered
n=$(wc -l <"$tl")
sed -i "${n}s/\"status\":\"succeeded\"/\"status\":\"succeedeX\"/" "$tl"
expect_exit 0 "$SKILL/run" --service after-edit
id5=$(run_id_of "$OUT")
expect_exit 1 "$SKILL/run" --verify-ledger
assert_contains "$ERR" "line $((n + 1)) (entry $((n + 1)), run $id5): prev_sha256"
unset DF_STATE_DIR

echo PASS
