#!/bin/bash
# GET /hooks/runs?status=S[,S…]&since=TIME&limit=N&before=RUN_ID: the recent runs, newest first, as
# {"runs":[{run_id, status, trigger, …}], "next_before": RUN_ID or null} (docs/service.md, "Recent runs").
# A live run whose process is gone is first recorded as interrupted (df_check_live). Finished runs are
# summarised once, into the index (lib.sh, df_runs_index_save).
set -euo pipefail
shopt -s nullglob
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "${BASH_SOURCE[0]%/*}/lib.sh"

status=${DF_QUERY_STATUS-} since=${DF_QUERY_SINCE-} limit=${DF_QUERY_LIMIT-} before=${DF_QUERY_BEFORE-}
unset DF_QUERY_STATUS DF_QUERY_SINCE DF_QUERY_LIMIT DF_QUERY_BEFORE
export DF_EVENT="runs"

statuses='queued|awaiting_approval|running|succeeded|failed|timed_out|rolled_back|rollback_failed|rejected|interrupted'
[[ -z $status || $status =~ ^($statuses)(,($statuses))*$ ]] ||
  df_reject 64 invalid_request "status must be run statuses separated by commas (${statuses//|/, })"
limit=${limit:-20}
if [[ ! $limit =~ ^[0-9]{1,3}$ ]] || ((10#$limit < 1 || 10#$limit > 200)); then
  df_reject 64 invalid_request "limit must be a number from 1 to 200"
fi
limit=$((10#$limit))
[[ -z $before || $before =~ $DF_RUN_ID_PATTERN ]] ||
  df_reject 64 invalid_request "before must be a run id such as 20260101T120000Z-0123abcd"
# since: a UTC time (2026-12-01T08:00:00Z, seconds and milliseconds optional) or a date (2026-12-01).
since_iso='' since_key=''
if [[ -n $since ]]; then
  [[ $since =~ ^([0-9]{4})-([0-9]{2})-([0-9]{2})(T([0-9]{2}):([0-9]{2})(:([0-9]{2})(\.([0-9]{1,3}))?)?Z)?$ ]] ||
    df_reject 64 invalid_request "since must be a UTC time such as 2026-12-01T08:00:00Z, or a date such as 2026-12-01"
  m=("${BASH_REMATCH[@]}")
  ms=${m[10]}000
  since_iso="${m[1]}-${m[2]}-${m[3]}T${m[5]:-00}:${m[6]:-00}:${m[8]:-00}.${ms:0:3}Z"
  since_key="${m[1]}${m[2]}${m[3]}T${m[5]:-00}${m[6]:-00}${m[8]:-00}Z"
fi

# The summaries of finished runs come from the index; only the records not in it (live runs and runs that
# ended since the last request) are read, by one jq call (lib.sh, df_runs_refresh). So the usual request
# starts no process but this bash.
files=("$DF_STATE_DIR"/runs/*.json)
declare -A line_of=()
df_runs_index_load line_of
df_runs_refresh line_of "${files[@]}"

# Run ids begin with their UTC start time, so the file names sort by age: newest first, until one more run
# than asked for is found (it tells whether there is a next page).
runs=() ids=()
for ((i = ${#files[@]} - 1; i >= 0 && ${#runs[@]} <= limit; i--)); do
  id=${files[i]##*/}
  id=${id%.json}
  [[ $id =~ $DF_RUN_ID_PATTERN && -n ${line_of[$id]-} ]] || continue
  [[ -z $before || $id < "$before" ]] || continue
  [[ -z $since_key || ! ${id:0:16} < "$since_key" ]] || break
  IFS=$'\t' read -r _ st started _ _ summary <<<"${line_of[$id]}"
  [[ $st != corrupt ]] || continue
  [[ -z $status || ,$status, == *",$st,"* ]] || continue
  [[ -z $since_iso || ! $started < "$since_iso" ]] || continue
  runs+=("$summary") ids+=("$id")
done
next=null
if ((${#runs[@]} > limit)); then
  runs=("${runs[@]:0:limit}")
  next="\"${ids[limit - 1]}\""
fi
printf '{"runs":['
(IFS=,; printf '%s' "${runs[*]}")
printf '],"next_before":%s}\n' "$next"
