#!/usr/bin/env bash
# The executor's start-up without jq (skill.fields, inputs checked with builtins, the first record written
# with printf) must agree byte for byte with the jq programs that did this before (run_reference.sh, the
# reference): same inputs, same errors, same exit codes, same first record. Each case runs both ways.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/run_lib.sh"
cd "$WORK" || exit

# harness.sh SKILL inputs|record|await builtins|reference ARGS...: loads the executor's libraries (and, for
# `reference`, the jq programs in their place), checks the inputs of ARGS as `run` does and prints what it
# decided (the inputs) or the first record it would write. Exit status and stderr are the executor's own
# when the inputs are refused.
cat >harness.sh <<'HARNESS'
set -uo pipefail
shopt -s nullglob
_DF_SKILL_DIR=$1 mode=$2 way=$3
shift 3
for lib in "$_DF_SKILL_DIR"/lib/*.sh; do source "$lib"; done
[[ $way == builtins ]] || source "$DF_SRC/tests/e2e/run_reference.sh"
df_now() { _DF_NOW=2026-01-01T00:00:00.000Z _DF_NOW_MS=1767225600000; }
_DF_ONLY_STEP="" _DF_NEEDS_APPROVAL="" _DF_NEEDS_APPROVAL_JSON=false DF_WORKDIR=""
df_load_builtins
df_parse_args "$@"
df_read_inputs_text
df_load_run
df_approval_needed
if [[ $mode == inputs ]]; then
  for k in "${!_DF_IN[@]}"; do printf '%s=%q\n' "$k" "${_DF_IN[$k]}"; done | sort
  printf 'masked=%s\nsecrets=%s\napproval=%s\n' "$_DF_INPUTS_MASKED" "$(echo $_DF_SECRETS)" \
    "$_DF_NEEDS_APPROVAL_JSON"
elif [[ $mode == await ]]; then
  # A detached run's first record write, made before its parent renamed the record into place.
  _DF_RUN_ID=20260101T000000Z-0a1b2c3d _DF_TRIGGER=http DF_WORKDIR=/state/work/x _DF_REC=$PWD/record.json
  rm -f record.json
  df_rec_create queued ""
  (sleep 0.5; df_rec_publish) &
  df_rec '.status = "running"' || exit 1
  jq -r .status record.json
else
  _DF_RUN_ID=20260101T000000Z-0a1b2c3d _DF_TRIGGER=http DF_WORKDIR=/state/work/x _DF_REC=$PWD/record.json
  _DF_PENDING_GUARDS=(rate_limit allowed "run 1 of 100 in 3600 s for name \"${_DF_IN[name]-}\"")
  df_rec_create_published "${DF_TEST_STATUS:-queued}" "${DF_TEST_PID-}" "${DF_TEST_ERROR-}"
  cat record.json
fi
HARNESS

declare -A fast
for md in "$DF_SRC"/tests/data/fastpath/*.md "$DF_SRC"/workflow-templates/*.md "$DF_SRC"/tests/data/hostile/*.md; do
  dir=$(compile -q -o "$WORK/fast" "$md" 2>/dev/null) || fail "compile $md"
  fast[$(basename "$dir")]=$dir
done

# same SKILL MODE ARGS...: the builtins and the reference give the same output, stderr and exit status.
same() {
  local name=$1 mode=$2 f s
  shift 2
  set -- "${JSON_ARGS[@]}" "$@"
  f=$(cd "$WORK" && DF_SRC=$DF_SRC bash harness.sh "${fast[$name]}" "$mode" builtins "$@" 2>"$WORK/f.err" <"$WORK/stdin"; echo "exit=$?")
  s=$(cd "$WORK" && DF_SRC=$DF_SRC bash harness.sh "${fast[$name]}" "$mode" reference "$@" 2>"$WORK/s.err" <"$WORK/stdin"; echo "exit=$?")
  [[ $mode != record || $f == *exit=0 ]] || fail "$name $*: no record: $(cat "$WORK/f.err")"
  assert_eq "$s" "$f" "$name $mode $* (output)"
  assert_eq "$(cat "$WORK/s.err")" "$(cat "$WORK/f.err")" "$name $mode $* (stderr)"
}
: >"$WORK/stdin"
# json TEXT: the next cases also read TEXT with --inputs-json -; nojson: they do not.
json() { printf '%s' "$1" >"$WORK/stdin"; JSON_ARGS=(--inputs-json -); }
nojson() { : >"$WORK/stdin"; JSON_ARGS=(); }
E=d-ploiement-rapide-inputs-edge
[[ -n ${fast[$E]-} ]] || fail "the edge-case workflow compiled to another name: ${!fast[*]}"

step "inputs of plain text"
nojson
same "$E" inputs --name api
same "$E" inputs --name api --count 5 --flag YES --environment staging --token s3cret --note 'a b; $(x) `y` & z'
same "$E" inputs --name= --count=-2.50 --flag off --environment production
same "$E" inputs --name api --name again
for b in 1 On yes TRUE 0 oFF no false; do same "$E" inputs --name api --flag "$b"; done
same "$E" inputs --name api --count 0 --environment dev
same plain-start inputs --service web
same plain-start inputs --service 'web' --environment production
json '{"name":"api"}'
same "$E" inputs
json $' {\n "name" : "api" ,\t"count":5,"flag":true,"environment":"production","token":null,"note":"null"}\n\n'
same "$E" inputs
json '{"name":"a","name":"b","count":0,"flag":false}'
same "$E" inputs --count 7
json '{}'
same "$E" inputs --name x
json '{"service":"api","environment":"production"}'
same plain-start inputs

step "quotes, escapes, non-ASCII, bad values, JSON that only jq reads"
nojson
same "$E" inputs --name 'say "hi"'
same "$E" inputs --name 'back\slash'
same "$E" inputs --name $'two\nlines'
same "$E" inputs --name 'héllo'
same quoted-default inputs                      # the default is not plain text
same quoted-default inputs --greeting hello     # the default is not used
same quoted-default inputs --plain 'say "hi"'
same "$E" inputs --name api --count abc
same "$E" inputs --name api --count 1e3
same "$E" inputs --name api --flag maybe
same "$E" inputs --name api --environment prod
same "$E" inputs --name api --nope x
same "$E" inputs --count 1
DF_INPUT_NAME='from "env"' same "$E" inputs
DF_INPUT_NAME=$'caf\xc3\xa9' same "$E" inputs
same "$E" inputs
for text in '{"name":"a\"b"}' '{"name":"\u00e9"}' '{"name":123456789012345678}' '{"name":-0}' '{"name":1.0}' \
  '{"name":1e3}' '[]' '"api"' '{"name":{"x":1}}' '{"name":[1]}' '{"name":"api"} x' '{"name":"api",}' \
  $'{"name":"tab\there"}' '{"Name":"x"}' '{"name":"x","count":"1.5.1"}' '{"name":"x","environment":"Production"}' \
  '   ' '{"name":"x","flag":"ON"}' '{"name":"api"}{}' '{"name":"é"}' '{"name":true}'; do
  json "$text"
  same "$E" inputs
done
json '{"name":"a","count":"1.5"}'
same "$E" inputs --note 'x y'

step "a value that is not UTF-8 is refused (jq would have replaced its bytes)"
rc=0
out=$(cd "$WORK" && DF_SRC=$DF_SRC bash harness.sh "${fast[$E]}" inputs builtins --name $'caf\xe9' 2>&1 </dev/null) || rc=$?
assert_eq 65 "$rc" "exit status for --name caf\\xe9"
assert_contains "$out" "input name: not valid UTF-8"

step "the first record: the same bytes"
nojson
same "$E" record --name api
same "$E" record --name api --environment production --token hidden
same "$E" record --name 'api "quoted"'
same quoted-default record
same quoted-default record --greeting hello
export DF_TEST_PID=$$
same plain-start record --service web
same plain-start record --service 'web app' --environment production
DF_TEST_STATUS=awaiting_approval same plain-start record --service web
unset DF_TEST_PID
same plain-start record --service web
same "$E" record --name 'héllo — ünïcode' --note $'tab\there'
same "$E" record --name api --step ber-step
DF_TEST_STATUS=rejected DF_TEST_ERROR='rejected by the rate limit guardrail: "x" é' same "$E" record --name api
DF_TEST_STATUS=failed DF_TEST_ERROR='missing required input "name"' same "$E" record --name api --step ber-step
DF_INPUT_NAME='from "env"' same "$E" record
for name in deploy-service run-tests backup-data security-scan; do
  [[ -n ${fast[$name]-} ]] || fail "template $name did not compile"
  args=()
  mapfile -t args < <(jq -r '.inputs[] | select(.required) | "--\(.name)", "value-\(.name)"' "${fast[$name]}/skill.json")
  same "$name" record "${args[@]}"
done
step "programs a detached run starts before its first step: none"
# Each program the executor might call is wrapped to note its name, bash too: the first "bash" is `run`
# itself (its #!/usr/bin/env bash), the next one the first step's. What comes between them stood between
# run --detach and its first step (counted, not timed: a benchmark measures time).
mkdir -p "$WORK/wrap"
for prog in bash mkdir mv rm ln unlink jq readlink head cat sleep setsid env timeout flock sha256sum; do
  real=$(command -v "$prog") || fail "no $prog"
  printf '#!/bin/bash\necho %s >>"$PROG_LOG"\nexec %q "$@"\n' "$prog" "$real" >"$WORK/wrap/$prog"
  chmod +x "$WORK/wrap/$prog"
done
# before_step [plain|no-loadables|terminal]: the programs noted between the first two "bash", sorted, on
# one line.
before_step() {
  export PROG_LOG=$WORK/programs.log
  : >"$PROG_LOG"
  local out id cmd=(env PATH="$WORK/wrap:$PATH" "${fast[plain-start]}/run" --detach --service web)
  case ${1:-plain} in
    plain) out=$("${cmd[@]}" </dev/null) ;;
    no-loadables) out=$(BASH_LOADABLES_PATH=/nonexistent "${cmd[@]}" </dev/null) ;;
    terminal) out=$(script -qec "$(printf '%q ' "${cmd[@]}")" /dev/null </dev/null) ;;
  esac
  id=$(grep -o '"run_id":"[^"]*"' <<<"$out" | cut -d'"' -f4)
  [[ -n $id ]] || fail "no run id in: $out"
  DF_STATE_DIR='' SKILL=${fast[plain-start]} wait_status "$id" succeeded
  awk '/^bash$/ { n++; next } n == 1' "$PROG_LOG" | sort | tr '\n' ' ' | sed 's/ $//'
}
[[ -r /usr/lib/bash/mkdir ]] || skip "Debian's bash-builtins is not installed (./bin/setup installs it)"
assert_eq "" "$(before_step plain)" "programs before the first step, with bash's loadable builtins and no terminal"
# Without them: mkdir for the run's folders, setsid and env for the step (see the terminal case below); the record's rename (mv) and the runner's
# 0.1 s timer (sleep) start alongside the step and may note themselves first.
assert_eq "env mkdir setsid" "$(before_step no-loadables | tr ' ' '\n' | grep -v -e '^mv$' -e '^sleep$' | xargs)" \
  "programs before the first step, without them"
# With a controlling terminal (script(1) gives it one) the step gets a session of its own, and the detached
# run outlives the terminal (it ignores the hangup when script ends; env gives the step the default back).
assert_eq "env setsid" "$(before_step terminal)" "programs before the first step, with a terminal"

step "a record write waits until the first record is in place"
nojson
(cd "$WORK" && bash harness.sh "${fast[plain-start]}" await builtins --service web >"$WORK/await.out" 2>"$WORK/await.err") ||
  fail "the record write did not wait: $(cat "$WORK/await.err")"
assert_eq running "$(cat "$WORK/await.out")" "the record after the write"
echo PASS
