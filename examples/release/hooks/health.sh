#!/bin/bash
# GET /hooks/health, no authentication (Coolify's and Docker's health check): {"status":"ok",…} while the
# executor is in place and the state folder is writable; an error object (HTTP 500) otherwise.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "${BASH_SOURCE[0]%/*}/lib.sh"

export DF_EVENT="health"
[[ -x $DF_SKILL_DIR/run ]] || df_reject 1 unhealthy "the executor $DF_SKILL_DIR/run is missing"
[[ -d $DF_STATE_DIR && -w $DF_STATE_DIR ]] || df_reject 1 unhealthy "the state folder $DF_STATE_DIR is not writable"
jq -c '{status: "ok", skill: .name, version: .version}' "$DF_SKILL_DIR/skill.json"
