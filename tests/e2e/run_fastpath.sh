#!/usr/bin/env bash
# The executor's start-up without jq (skill.fields, inputs checked with builtins, the first record written
# with printf) must agree with its jq path byte for byte: same inputs, same errors, same exit codes, same
# first record. Each case runs in a skill as compiled (fast path) and in a copy without skill.fields (jq).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/run_lib.sh"
cd "$WORK" || exit

# harness.sh SKILL inputs|record ARGS...: loads the executor's libraries, checks the inputs of ARGS as `run`
# does and prints what it decided (the inputs) or the first record it would write. Exit status and stderr
# are the executor's own when the inputs are refused.
cat >harness.sh <<'HARNESS'
set -uo pipefail
shopt -s nullglob
_DF_SKILL_DIR=$1 mode=$2
shift 2
for lib in "$_DF_SKILL_DIR"/lib/*.sh; do source "$lib"; done
df_now() { _DF_NOW=2026-01-01T00:00:00.000Z _DF_NOW_MS=1767225600000; }
_DF_ONLY_STEP="" _DF_NEEDS_APPROVAL="" _DF_NEEDS_APPROVAL_JSON=false DF_WORKDIR=""
df_load_builtins
df_parse_args "$@"
df_read_inputs_text
df_load_run
df_approval_needed
echo "fast=${_DF_FAST_INPUTS:-no}" >&2
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
  df_rec_create_published "${DF_TEST_STATUS:-queued}" "${DF_TEST_PID-}"
  cat record.json
fi
HARNESS

declare -A fast slow
for md in "$DF_SRC"/tests/data/fastpath/*.md "$DF_SRC"/workflow-templates/*.md "$DF_SRC"/tests/data/hostile/*.md; do
  dir=$(compile -q -o "$WORK/fast" "$md" 2>/dev/null) || fail "compile $md"
  name=$(basename "$dir")
  fast[$name]=$dir
  mkdir -p "$WORK/slow"
  cp -r "$dir" "$WORK/slow/$name"
  rm "$WORK/slow/$name/skill.fields"
  slow[$name]=$WORK/slow/$name
done

# same SKILL MODE EXPECT_FAST ARGS...: both paths give the same output, stderr and exit status; EXPECT_FAST
# (yes|no) says whether the fast path must have decided, so a fast path that never runs fails this test.
same() {
  local name=$1 mode=$2 want=$3 f s
  shift 3
  set -- "${JSON_ARGS[@]}" "$@"
  f=$(cd "$WORK" && bash harness.sh "${fast[$name]}" "$mode" "$@" 2>"$WORK/f.err" <"$WORK/stdin"; echo "exit=$?")
  s=$(cd "$WORK" && bash harness.sh "${slow[$name]}" "$mode" "$@" 2>"$WORK/s.err" <"$WORK/stdin"; echo "exit=$?")
  grep -q "^fast=no$" "$WORK/s.err" || [[ $s != *exit=0 ]] || fail "$name $*: the copy without skill.fields used the fast path"
  if [[ $want == yes ]]; then
    grep -q "^fast=1$" "$WORK/f.err" || fail "$name $*: the fast path did not decide: $(cat "$WORK/f.err")"
  else
    grep -q "^fast=1$" "$WORK/f.err" && fail "$name $*: the fast path decided a case it must leave to jq"
  fi
  [[ $mode != record || $f == *exit=0 ]] || fail "$name $*: no record: $(cat "$WORK/f.err")"
  assert_eq "$s" "$f" "$name $mode $* (output)"
  assert_eq "$(grep -v '^fast=' "$WORK/s.err")" "$(grep -v '^fast=' "$WORK/f.err")" "$name $mode $* (stderr)"
}
: >"$WORK/stdin"
# json TEXT: the next cases also read TEXT with --inputs-json -; nojson: they do not.
json() { printf '%s' "$1" >"$WORK/stdin"; JSON_ARGS=(--inputs-json -); }
nojson() { : >"$WORK/stdin"; JSON_ARGS=(); }
E=d-ploiement-rapide-inputs-edge

step "skill.fields holds what jq reads out of skill.json"
for name in "${!fast[@]}"; do
  cat >"$WORK/fields.sh" <<'FIELDS'
shopt -s nullglob
_DF_SKILL_DIR=$1
for lib in "$_DF_SKILL_DIR"/lib/*.sh; do source "$lib"; done
if [[ $2 == fast ]]; then df_load_fields || exit 9; else df_manifest_path; mapfile -d '' _DF_FIELDS < <(jq -j "$_DF_JQ_MANIFEST" "$_DF_MANIFEST"); fi
df_set_manifest
printf '%q\n' "${_DF_FIELDS[@]:0:_DF_FIELDS_USED}"
FIELDS
  assert_eq "$(bash "$WORK/fields.sh" "${slow[$name]}" jq)" "$(bash "$WORK/fields.sh" "${fast[$name]}" fast)" "$name fields"
done
[[ -n ${fast[$E]-} ]] || fail "the edge-case workflow compiled to another name: ${!fast[*]}"

step "inputs of plain text: decided without jq, as jq decides"
nojson
same "$E" inputs yes --name api
same "$E" inputs yes --name api --count 5 --flag YES --environment staging --token s3cret --note 'a b; $(x) `y` & z'
same "$E" inputs yes --name= --count=-2.50 --flag off --environment production
same "$E" inputs yes --name api --name again
for b in 1 On yes TRUE 0 oFF no false; do same "$E" inputs yes --name api --flag "$b"; done
same "$E" inputs yes --name api --count 0 --environment dev
same plain-start inputs yes --service web
same plain-start inputs yes --service 'web' --environment production
json '{"name":"api"}'
same "$E" inputs yes
json $' {\n "name" : "api" ,\t"count":5,"flag":true,"environment":"production","token":null,"note":"null"}\n\n'
same "$E" inputs yes
json '{"name":"a","name":"b","count":0,"flag":false}'
same "$E" inputs yes --count 7
json '{}'
same "$E" inputs yes --name x
json '{"service":"api","environment":"production"}'
same plain-start inputs yes

step "anything else goes to jq, with the same answer"
nojson
same "$E" inputs no --name 'say "hi"'
same "$E" inputs no --name 'back\slash'
same "$E" inputs no --name $'two\nlines'
same "$E" inputs no --name 'héllo'
same quoted-default inputs no                      # the default is not plain text
same quoted-default inputs yes --greeting hello     # the default is not used
same quoted-default inputs no --plain 'say "hi"'
same "$E" inputs no --name api --count abc
same "$E" inputs no --name api --count 1e3
same "$E" inputs no --name api --flag maybe
same "$E" inputs no --name api --environment prod
same "$E" inputs no --name api --nope x
same "$E" inputs no --count 1
same "$E" inputs no
for text in '{"name":"a\"b"}' '{"name":"\u00e9"}' '{"name":123456789012345678}' '{"name":-0}' '{"name":1.0}' \
  '{"name":1e3}' '[]' '"api"' '{"name":{"x":1}}' '{"name":[1]}' '{"name":"api"} x' '{"name":"api",}' \
  $'{"name":"tab\there"}' '{"Name":"x"}' '{"name":"x","count":"1.5.1"}' '{"name":"x","environment":"Production"}' \
  '   ' '{"name":"x","flag":"ON"}' '{"name":"api"}{}' '{"name":"é"}' '{"name":true}'; do
  json "$text"
  same "$E" inputs "$( [[ $text == '{"name":"x","flag":"ON"}' || $text == '{"name":true}' ]] && echo yes || echo no)"
done
json '{"name":"a","count":"1.5"}'
same "$E" inputs yes --note 'x y'

step "the first record: the same bytes either way"
nojson
same "$E" record yes --name api
same "$E" record yes --name api --environment production --token hidden
same "$E" record no --name 'api "quoted"'
same quoted-default record no
same quoted-default record yes --greeting hello
export DF_TEST_PID=$$
same plain-start record yes --service web
same plain-start record yes --service 'web app' --environment production
DF_TEST_STATUS=awaiting_approval same plain-start record yes --service web
unset DF_TEST_PID
same plain-start record yes --service web
for name in deploy-service run-tests backup-data security-scan; do
  [[ -n ${fast[$name]-} ]] || fail "template $name did not compile"
  args=()
  mapfile -t args < <(jq -r '.inputs[] | select(.required) | "--\(.name)", "value-\(.name)"' "${fast[$name]}/skill.json")
  same "$name" record yes "${args[@]}"
done
step "programs a detached run starts before its first step: none"
# Each program the executor might call is wrapped to note its name, bash too: the first "bash" is `run`
# itself (its #!/usr/bin/env bash), the next one the first step's. What comes between them stood between
# run --detach and its first step (counted, not timed: a benchmark measures time).
mkdir -p "$WORK/wrap"
for prog in bash mkdir mv rm ln unlink jq readlink head cat sleep setsid timeout flock sha256sum; do
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
# Without them: mkdir for the run's folders, setsid for the step; the record's rename (mv) and the runner's
# 0.1 s timer (sleep) start alongside the step and may note themselves first.
assert_eq "mkdir setsid" "$(before_step no-loadables | tr ' ' '\n' | grep -v -e '^mv$' -e '^sleep$' | xargs)" \
  "programs before the first step, without them"
# With a controlling terminal (script(1) gives it one) the step gets a session of its own, and the detached
# run outlives the terminal (it ignores the hangup when script ends).
assert_eq "setsid" "$(before_step terminal)" "programs before the first step, with a terminal"

step "a record write waits until the first record is in place"
nojson
(cd "$WORK" && bash harness.sh "${fast[plain-start]}" await --service web >"$WORK/await.out" 2>"$WORK/await.err") ||
  fail "the record write did not wait: $(cat "$WORK/await.err")"
assert_eq running "$(cat "$WORK/await.out")" "the record after the write"
echo PASS
