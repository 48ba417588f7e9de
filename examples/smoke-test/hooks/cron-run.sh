#!/usr/bin/env bash
# cron-run.sh N: starts one run for the workflow's N-th cron trigger, with the inputs in cron/N.json.
# The lines of the skill's `crontab` call it; the scheduler (or any cron daemon) runs those lines.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "${BASH_SOURCE[0]%/*}/lib.sh"

n=${1-}
export DF_TRIGGER=cron DF_EVENT="run trigger=cron schedule=${n//[^0-9]/}"
[[ $n =~ ^[1-9][0-9]{0,3}$ ]] || df_reject 64 invalid_request "usage: cron-run.sh N (the trigger's number)"
df_answer --detach --inputs-json "$DF_SKILL_DIR/cron/$n.json"
