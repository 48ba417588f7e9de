#!/usr/bin/env bash
# A run whose executor is killed with SIGKILL (no trap sees it) leaves nothing behind: its watcher stops
# the steps that were running side by side (SIGKILL after the grace for one that ignores SIGTERM) and the
# child workflow (which stops its own steps), and marks the record `interrupted` without anyone asking;
# in the foreground and detached. Every process of the run's tree carries a marker in its environment.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/run_lib.sh"
cd "$WORK" || exit
MARK=dfkill$$z$RANDOM
on_exit "pkill -KILL -f $MARK"
export DF_KILL_GRACE_SECONDS=1
mkdir -p src

cat >src/slow.md <<'MD'
# Workflow: Slow

## Inputs
- `marker` (required): tags the processes

## Steps
### 1. Work
```sh
(exec -a "$marker-grandchild" sleep 1000) &
wait
```
MD
skill killed <<'MD'
# Workflow: Killed

## Inputs
- `marker` (required): tags the processes

## Steps
### 1. Stubborn
- Needs: none
```sh
# SIGTERM is ignored, by this step and by the sleep it starts: only SIGKILL ends them.
trap '' TERM
(exec -a "$marker-stubborn" sleep 1000) &
wait
```

### 2. Plain
- Needs: none
```sh
(exec -a "$marker-plain" sleep 1000) &
wait
```

### 3. Child
- Needs: none
- Uses: slow.md
- With: marker=$marker
MD

# tree_left MARKER: is any process of the run's tree left? Each has RUN_KILL_TREE=MARKER in its
# environment, inherited from the run; the test itself does not (the variable is given to run alone).
tree_left() { grep -qsaF -- "RUN_KILL_TREE=$1" /proc/[0-9]*/environ; }
tree_gone() { ! tree_left "$1"; }
# running MARKER: the three steps and the child's step have started.
running() { pgrep -f "$1-stubborn" && pgrep -f "$1-plain" && pgrep -f "$1-grandchild"; }

step "SIGKILL of a foreground run: its steps, its child workflow and the child's steps all stop"
export DF_STATE_DIR=$WORK/state-fg
RUN_KILL_TREE=$MARK "$SKILL/run" --marker "$MARK" >"$WORK/out" 2>"$WORK/err" &
pid=$!
wait_for running "$MARK"
check "the run's tree is marked" tree_left "$MARK"
kill -KILL "$pid"
wait "$pid" || true
check "no process of the run's tree is left" wait_for tree_gone "$MARK"
records=("$DF_STATE_DIR"/runs/*.json)
check "the record says interrupted without run --status" \
  jq -e '.status == "interrupted" and (.error | test("is gone: it was killed"))' "${records[0]}"
check "the steps that were running are interrupted" \
  jq -e '[.steps[].status] == ["interrupted", "interrupted", "interrupted"]' "${records[0]}"
child_records=("$DF_STATE_DIR"/children/slow/runs/*.json)
check "the child run stopped its own step and recorded it" \
  jq -e '.status == "interrupted" and .error == "interrupted by SIGTERM"' "${child_records[0]}"
check "the run's evidence is sealed" \
  jq -e --arg id "$(jq -r .run_id "${records[0]}")" 'select(.entry.run_id == $id) | .entry.status == "interrupted"' \
  "$DF_STATE_DIR/evidence/ledger.jsonl"

step "SIGKILL of a detached run (the fork named in its record): the same"
MARK2=${MARK}detached
export DF_STATE_DIR=$WORK/state-detached
OUT=$(RUN_KILL_TREE=$MARK2 "$SKILL/run" --detach --marker "$MARK2")
ID=$(jq -r .run_id <<<"$OUT")
wait_for running "$MARK2"
wait_status "$ID" running
RUNNER=$(field "$ID" .pid)
[[ $RUNNER =~ ^[0-9]+$ ]] && kill -0 "$RUNNER" || fail "the record names no live runner: $RUNNER"
kill -KILL "$RUNNER"
check "no process of the run's tree is left" wait_for tree_gone "$MARK2"
check "the record says interrupted" wait_status "$ID" interrupted
check "the run's log says what was stopped" grep -q "the run's process is gone (killed?): stopping" \
  "$DF_STATE_DIR/runs/$ID.log"

step "a run that ends by itself leaves no watcher behind"
MARK3=${MARK}done
skill quick <<'MD'
# Workflow: Quick

## Steps
### 1. Done
```sh
echo done
```
MD
export DF_STATE_DIR=$WORK/state-quick
RUN_KILL_TREE=$MARK3 expect_exit 0 "$SKILL/run"
check "no process of the run's tree is left" wait_for tree_gone "$MARK3"
checks_done
