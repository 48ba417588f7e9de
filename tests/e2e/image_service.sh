#!/usr/bin/env bash
# The service image, built and run for real (label `image`; docs/testing.md, "The service image"). For the
# image test workflow (tests/data/image-workflow.md) and every template in workflow-templates/: podman builds
# the compiled skill folder's Dockerfile on the cached Debian 12 base (image_base.sh); the image's user, port,
# volume, labels, health check and entrypoint are the documented ones; the entrypoint runs in the image's file
# system as the image's user (image_lib.sh), every process of the container as that user; the health hook
# and the image's own HEALTHCHECK command answer (and the command fails once the service is gone); a run
# triggered over HTTP runs its command steps inside the image and its status is served; cron runs start from
# the image's scheduler (the long-running one for the every-minute trigger of the test workflow, its --at mode
# for the templates' daily ones); run records land on the /data volume, not in the container's file system,
# and are served again after the service restarts. Everything it starts is stopped by PID; its podman images
# and containers are removed at exit.
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
# shellcheck source=image_lib.sh
source "$(dirname "$0")/image_lib.sh"

image_preflight
istep() { step "[${SECONDS}s] $*"; } # with the time since the start: where a slow run spends it
mirror=$(debian_mirror | head -n 1)
[[ -n $mirror ]] || skip "apt has no Debian mirror for bookworm configured (/etc/apt/sources.list*)"
tarball=$(base_rootfs_tar "$mirror")
[[ -s $tarball ]] || skip "no base rootfs $tarball: the fixture e2e.image_base made none (see its output)"

# Unique names for everything this run creates in podman's storage, removed at exit.
tag=df-e2e-$(date -u +%Y%m%d%H%M%S)-$$
BASE=localhost/$tag-base:latest
# One container per skill; its fields are in associative arrays keyed by the skill's name.
declare -A ROOT VOL UID_ GID_ HOME_ ENV_ ENTRY WORKDIR_ HEALTH_CMD PORT_ UPID CPID
images=() containers=()
# At exit, even after a failed check: the running containers are killed, then podman's containers (and
# their mounts) and images are removed.
clean_up() {
  local name c i
  for name in "${!UPID[@]}"; do kill_container "$name"; done
  for c in "${containers[@]:+${containers[@]}}"; do
    podman umount "$c" >/dev/null 2>&1 || true
    podman rm -f "$c" >/dev/null 2>&1 || true
  done
  for ((i = ${#images[@]} - 1; i >= 0; i--)); do podman rmi -f "${images[i]}" >/dev/null 2>&1 || true; done
}
on_exit clean_up

# What a killed run left (ctest's timeout kills without the clean-up above): the processes, containers and
# images named after a test process that no longer exists are removed first.
remove_stale_objects() {
  local name merged p
  while read -r name; do
    [[ $name =~ ^df-e2e-[0-9]{14}-([0-9]+)- && ! -e /proc/${BASH_REMATCH[1]} ]] || continue
    echo "removing container $name, left by a killed run" >&2
    merged=$(podman inspect --format '{{.GraphDriver.Data.MergedDir}}' "$name" 2>/dev/null || true)
    if [[ -n $merged && -d $merged ]]; then
      # Its processes are those whose root folder is its file system.
      for p in /proc/[0-9]*; do
        if [[ $(readlink "$p/root" 2>/dev/null) == "$merged" ]]; then kill -KILL "${p#/proc/}" 2>/dev/null || true; fi
      done
    fi
    podman umount "$name" >/dev/null 2>&1 || true
    podman rm -f "$name" >/dev/null 2>&1 || true
  done < <(podman ps -a --format '{{.Names}}')
  # The skills' images before the base they are built on.
  while read -r name; do
    [[ $name =~ ^localhost/df-e2e-[0-9]{14}-([0-9]+)- && ! -e /proc/${BASH_REMATCH[1]} ]] || continue
    echo "removing image $name, left by a killed run" >&2
    podman rmi -f "$name" >/dev/null 2>&1 || true
  done < <(podman images --format '{{.Repository}}:{{.Tag}}' | awk '/-base:latest$/ { base[n++] = $0; next } 1
                                                              END { for (i = 0; i < n; i++) print base[i] }')
}
remove_stale_objects

token=trigger-token-0123456789abcdef approve_token=approve-token-0123456789abcdef
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.test GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.test
export GIT_CONFIG_NOSYSTEM=1 HOME=$WORK TZ=UTC

istep "the base image: the cached Debian 12 rootfs, imported as $BASE"
images+=("$BASE")
timeout 180 podman import "$tarball" "$BASE" >"$WORK/import.log" 2>&1 ||
  fail "podman import failed (or took over 180 s): $(cat "$WORK/import.log")"

istep "the fixtures the template runs use: a git repository, a folder to back up, the Gateway stand-in"
git init -q -b main "$WORK/src"
printf 'FROM debian:12-slim\n' >"$WORK/src/Dockerfile"
printf '#!/bin/sh\necho "ran the tests"\n' >"$WORK/src/test.sh"
printf 'aws_key = AKIAABCDEFGHIJKLMNOP\n' >"$WORK/src/config.txt"
printf 'PASSWORD=x\n' >"$WORK/src/.env"
git -C "$WORK/src" add -A && git -C "$WORK/src" commit -qm init
git -C "$WORK/src" tag v1.0
mkdir -p "$WORK/fixture/data" "$WORK/fixture/site"
echo ok >"$WORK/fixture/site/health"
git clone -q --bare "$WORK/src" "$WORK/fixture/repo.git"
echo precious >"$WORK/fixture/data/file"
commit=$(git -C "$WORK/src" rev-parse HEAD)
"$DF_BIN/gateway-standin" --port-file "$WORK/gateway.port" --token gateway-token-0123456789 --log "$WORK/gateway.log" \
  --lifetime 600 --outputs '{"deployment_url": "https://billing.example.test", "health_status": "healthy",
  "summary": "All tests passed.", "open_findings": "1"}' >"$WORK/gateway.out" 2>&1 &
gateway_pid=$!
on_exit "kill $gateway_pid 2>/dev/null"
deadline_wait 20 "the Gateway stand-in's port file" test -s "$WORK/gateway.port"
gateway_url=http://127.0.0.1:$(cat "$WORK/gateway.port")

compile -q --out "$WORK/skills" "$DF_SRC/tests/data/image-workflow.md" "$DF_SRC"/workflow-templates/*.md \
  >"$WORK/folders" 2>"$WORK/compile.err" || fail "compile failed: $(cat "$WORK/compile.err")"
mapfile -t folders <"$WORK/folders"
templates=("$DF_SRC"/workflow-templates/*.md)
((${#folders[@]} == ${#templates[@]} + 1)) ||
  fail "expected the test workflow and ${#templates[@]} templates, got: ${folders[*]}"

# The service's environment besides the image's: a port from the kernel on loopback, the trigger token, the
# Gateway stand-in (the templates' agent steps).
service_env() {
  printf '%s\n' "DF_PORT=${PORT_[$1]}" DF_BIND=127.0.0.1 "DF_TRIGGER_TOKEN=$token" "DF_APPROVE_TOKEN=$approve_token" \
    "OPENCLAW_GATEWAY_URL=$gateway_url" OPENCLAW_GATEWAY_TOKEN=gateway-token-0123456789
}

# build_and_inspect NAME DIR: builds the image and checks its configuration; sets the container's fields.
build_and_inspect() {
  local name=$1 dir=$2 image=localhost/$tag-$1:test config
  images+=("$image")
  # Under ctest's timeout, so that a hanging build still ends in this script's clean-up.
  timeout 300 podman build --isolation chroot --network host --pull=never --format docker --from "$BASE" \
    -t "$image" "$dir" >"$WORK/$name.build.log" 2>&1 ||
    fail "$name: podman build failed (or took over 300 s): $(tail -n 30 "$WORK/$name.build.log")"
  # Warnings in a build show on every Coolify deploy (e.g. a dropped HEALTHCHECK, useradd's uid range).
  if grep -Eiq '^(W: |WARN)|level=warn|warning' "$WORK/$name.build.log"; then
    fail "$name: the build warned: $(grep -Ei '^(W: |WARN)|level=warn|warning' "$WORK/$name.build.log")"
  fi
  config=$(podman image inspect "$image" | jq -c '.[0]') || fail "$name: podman image inspect failed"
  local version
  version=$(jq -r .version "$dir/skill.json")
  assert_eq df "$(jq -r .Config.User <<<"$config")" "$name: image user"
  assert_eq '["9000/tcp"]' "$(jq -c '.Config.ExposedPorts | keys' <<<"$config")" "$name: exposed ports"
  assert_eq '["/data"]' "$(jq -c '.Config.Volumes | keys' <<<"$config")" "$name: volumes"
  assert_eq "$name $version" "$(jq -r '.Config.Labels | "\(.["org.opencontainers.image.title"]) \(.["org.opencontainers.image.version"])"' \
    <<<"$config")" "$name: title and version labels"
  assert_eq '["/usr/bin/tini","--","/app/entrypoint"]' "$(jq -c .Config.Entrypoint <<<"$config")" "$name: entrypoint"
  assert_eq /app "$(jq -r .Config.WorkingDir <<<"$config")" "$name: working folder"
  assert_eq "DF_PORT=9000 DF_SKILL_DIR=/app DF_STATE_DIR=/data" \
    "$(jq -r '[.Config.Env[] | select(startswith("DF_"))] | sort | join(" ")' <<<"$config")" "$name: DF_ environment"
  # Docker format keeps HEALTHCHECK (OCI has no field for it); Coolify shows the container's health from it.
  assert_eq "CMD-SHELL 30 5 10 3" "$(jq -r '.Healthcheck | "\(.Test[0]) \(.Interval / 1e9) \(.Timeout / 1e9) \(.StartPeriod / 1e9) \(.Retries)"' \
    <<<"$config")" "$name: HEALTHCHECK"
  HEALTH_CMD[$name]=$(jq -r '.Healthcheck.Test[1]' <<<"$config")
  assert_contains "${HEALTH_CMD[$name]}" '/hooks/health' "$name: HEALTHCHECK command"
  ENTRY[$name]=$(jq -r '(.Config.Entrypoint + (.Config.Cmd // []))[]' <<<"$config")
  ENV_[$name]=$(jq -r '.Config.Env[]' <<<"$config")
  WORKDIR_[$name]=$(jq -r .Config.WorkingDir <<<"$config")

  # The container's file system: `podman create` makes it from the image (the image's layers and a writable
  # one of its own), `podman mount` mounts it.
  local root container=$tag-$name
  containers+=("$container")
  podman create --name "$container" "$image" >/dev/null 2>"$WORK/$name.create.log" ||
    fail "$name: podman create failed: $(cat "$WORK/$name.create.log")"
  if ! root=$(podman mount "$container" 2>"$WORK/$name.mount.log") || [[ ! -d $root/app ]]; then
    fail "$name: podman mount failed: $(cat "$WORK/$name.mount.log")"
  fi
  ROOT[$name]=$root
  mkdir -p "$WORK/$name"

  # The image's user: in the image's own /etc/passwd, uid 10001; /data is its own, mode 0700.
  local entry
  entry=$(awk -F: '$1 == "df"' "$root/etc/passwd")
  [[ -n $entry ]] || fail "$name: no user df in the image's /etc/passwd"
  IFS=: read -r _ _ "UID_[$name]" "GID_[$name]" _ "HOME_[$name]" _ <<<"$entry"
  assert_eq 10001 "${UID_[$name]}" "$name: uid of df"
  assert_eq "${UID_[$name]} 700" "$(stat -c '%u %a' "$root/data")" "$name: owner and mode of /data"
  [[ -d $root${HOME_[$name]} ]] || fail "$name: df's home ${HOME_[$name]} is missing"
  assert_eq "0 0" "$(stat -c '%u %g' "$root/app" "$root/app/entrypoint" | sort -u)" "$name: owner of /app"

  # A named volume starts as a copy of the image's /data (Docker's behaviour); here a folder of the test
  # that is bind-mounted over /data.
  cp -a "$root/data" "$WORK/$name/volume"
  VOL[$name]=$WORK/$name/volume

  # The fixtures, in the container's own file system, owned by the image's user.
  mkdir -p "$root/srv/fixture"
  cp -a "$WORK/fixture/." "$root/srv/fixture/"
  chown -R "${UID_[$name]}:${GID_[$name]}" "$root/srv/fixture"
}

# A port the kernel calls free on 127.0.0.1. The entrypoint takes a port number, not a socket, so a race with
# another listener is possible: the health check below then fails naming the port (as service_lib.sh says).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_container NAME: the image's entrypoint as PID 1 of a new PID and mount namespace, chrooted into the
# container's file system as the image's user, with /proc and the volume mounted; waits for the health hook.
start_container() {
  local name=$1 env
  PORT_[$name]=$(free_port)
  mapfile -t env < <(printf '%s\n' "${ENV_[$name]}" "HOME=${HOME_[$name]}"; service_env "$name")
  local -a entry
  mapfile -t entry <<<"${ENTRY[$name]}"
  # The container's stdout belongs to its user, as runc makes it (fixStdioPermissions): the hook scripts
  # reopen webhook's stdout (/proc/PID/fd/1) for their log lines.
  touch "$WORK/$name.service.log"
  chown "${UID_[$name]}:${GID_[$name]}" "$WORK/$name.service.log"
  # shellcheck disable=SC2016 # expanded by the inner bash
  unshare --mount --pid --fork --kill-child --propagation private -- bash -c '
      set -e
      root=$1 volume=$2 user=$3 workdir=$4
      shift 4
      mount -t proc proc "$root/proc"
      mount --bind "$volume" "$root/data"
      exec chroot --userspec="$user" --groups="${user#*:}" "$root" /usr/bin/env -i -C "$workdir" "$@"' \
    container "${ROOT[$name]}" "${VOL[$name]}" "${UID_[$name]}:${GID_[$name]}" "${WORKDIR_[$name]}" \
    "${env[@]}" "${entry[@]}" >>"$WORK/$name.service.log" 2>&1 &
  UPID[$name]=$!
  deadline_wait 20 "$name: the container's PID 1 (tini)" pid1_is_tini "$name"
  local end=$((SECONDS + 60))
  until curl -fsS -o /dev/null "http://127.0.0.1:${PORT_[$name]}/hooks/health" 2>/dev/null; do
    [[ -e /proc/${UPID[$name]} ]] || fail "$name: the container ended: $(cat "$WORK/$name.service.log")"
    ((SECONDS < end)) || fail "$name: no health answer within 60 s; log: $(cat "$WORK/$name.service.log")"
    sleep 0.2
  done
}
pid1_is_tini() {
  local child
  child=$(ps -o pid= --ppid "${UPID[$1]}" | head -n 1 | tr -d ' ')
  [[ -n $child && $(cat "/proc/$child/comm" 2>/dev/null) == tini ]] || return 1
  CPID[$1]=$child
}

# kill_container NAME: at exit, SIGKILL to the container's PID 1, which ends every process in its namespace
# (unshare's --kill-child does not reach it: changing to the image's user clears the parent-death signal).
kill_container() {
  local pid=${CPID[$1]:-} upid=${UPID[$1]} end=$((SECONDS + 10))
  [[ -e /proc/$upid ]] || return 0
  if [[ -n $pid && $(cat "/proc/$pid/comm" 2>/dev/null) == tini ]]; then kill -KILL "$pid" 2>/dev/null || true; fi
  # unshare reaps PID 1 and exits; only then is it killed (its child would otherwise stay a zombie).
  while [[ -e /proc/$upid ]] && ((SECONDS < end)); do
    [[ $(cut -d' ' -f3 "/proc/$upid/stat" 2>/dev/null) == Z ]] && break
    sleep 0.1
  done
  kill -KILL "$upid" 2>/dev/null || true
  wait "$upid" 2>/dev/null || true
}

# in_container NAME COMMAND...: runs COMMAND inside the running container (like `docker exec`): its
# namespaces and root, the image's user, environment and working folder.
in_container() {
  local name=$1 env
  shift
  mapfile -t env < <(printf '%s\n' "${ENV_[$name]}" "HOME=${HOME_[$name]}"; service_env "$name")
  nsenter --target "${CPID[$name]}" --mount --pid --root --wd --setuid "${UID_[$name]}" --setgid "${GID_[$name]}" \
    -- /usr/bin/env -i "${env[@]}" "$@"
}

# stop_container NAME: SIGTERM to PID 1 (what `docker stop` sends); the namespace and its mounts end with it.
stop_container() {
  local name=$1
  kill -TERM "${CPID[$name]}" 2>/dev/null || true
  deadline_wait 20 "$name: the container to stop after SIGTERM" test ! -e "/proc/${UPID[$name]}"
  wait "${UPID[$name]}" 2>/dev/null || true
}

# container_uids NAME: the user ids of every process in the container's PID namespace, sorted and unique.
container_uids() {
  local ns p
  ns=$(readlink "/proc/${CPID[$1]}/ns/pid")
  for p in /proc/[0-9]*; do
    [[ $(readlink "$p/ns/pid" 2>/dev/null) == "$ns" ]] || continue
    awk '/^Uid:/ { print $2 }' "$p/status" 2>/dev/null
  done | sort -u
}

# http_run NAME PAYLOAD: POST /hooks/run with the token; sets RUN_ID.
http_run() {
  local name=$1 code
  code=$(curl -sS -o "$WORK/body" -w '%{http_code}' -X POST -H "X-DF-Token: $token" \
    -H 'Content-Type: application/json' --data-binary "$2" "http://127.0.0.1:${PORT_[$name]}/hooks/run") ||
    fail "$name: POST /hooks/run failed"
  [[ $code == 202 ]] || fail "$name: POST /hooks/run answered $code: $(cat "$WORK/body")"
  RUN_ID=$(jq -r .run_id "$WORK/body")
  run_id_pattern
  [[ $RUN_ID =~ $RUN_ID_RE ]] || fail "$name: no run id in $(cat "$WORK/body")"
}
# status_of NAME RUN_ID: the status hook's answer (GET /hooks/status with the token).
status_of() {
  curl -sS -H "X-DF-Token: $token" "http://127.0.0.1:${PORT_[$1]}/hooks/status?run_id=$2"
}
awaiting_step_approval() { # NAME RUN_ID: the status hook says a step of the run waits for approval
  status_of "$1" "$2" | jq -e 'any(.steps[]; .approval.status? == "pending")' >/dev/null
}
run_ended() { # NAME RUN_ID: the status hook says the run is over
  [[ $(status_of "$1" "$2" | jq -r .status) != @(queued|running|awaiting_approval|null|) ]]
}
# wait_run NAME RUN_ID STATUS: waits for the run to end (status hook) and checks how.
wait_run() {
  deadline_wait 90 "$1: run $2 to end" run_ended "$1" "$2"
  local answer
  answer=$(status_of "$1" "$2")
  [[ $(jq -r .status <<<"$answer") == "$3" ]] ||
    fail "$1: run $2 is $(jq -r .status <<<"$answer"), expected $3; record: $answer; log: $(cat "${VOL[$1]}/runs/$2.log" 2>/dev/null)"
  RECORD=$answer
}
output() { jq -r ".outputs.$1" <<<"$RECORD"; }

# check_http_run NAME: a run over HTTP that runs the skill's command steps inside the image.
check_http_run() {
  local name=$1 repo=file:///srv/fixture/repo.git
  case $name in
    image-probe)
      http_run "$name" '{"message":"hello from http"}'
      wait_run "$name" "$RUN_ID" succeeded
      assert_eq "15 ${UID_[$name]}" "$(output length) $(output uid)" "$name: length and uid of the step"
      assert_contains "$(output workdir)" "/data/" "$name: the run's working folder"
      assert_eq "$(printf 'hello from http' | sha256sum | cut -d' ' -f1)" "$(output sha256)" "$name: sha256"
      ;;
    deploy-service)
      http_run "$name" "{\"service_name\":\"billing\",\"git_repo\":\"$repo\"}"
      wait_run "$name" "$RUN_ID" succeeded
      assert_eq "$commit https://billing.example.test" "$(output commit) $(output deployment_url)" "$name: outputs"
      ;;
    run-tests)
      http_run "$name" "{\"git_repo\":\"$repo\",\"test_command\":\"sh ./test.sh\"}"
      wait_run "$name" "$RUN_ID" succeeded
      assert_eq "$commit passed 0" "$(output commit) $(output result) $(output exit_code)" "$name: outputs"
      ;;
    security-scan)
      http_run "$name" "{\"git_repo\":\"$repo\"}"
      wait_run "$name" "$RUN_ID" succeeded
      assert_eq "1 1" "$(output secret_findings) $(output risky_files)" "$name: findings"
      ;;
    backup-data)
      http_run "$name" '{"source_dir":"/srv/fixture/data","backup_dir":"/data/backups","keep":1}'
      wait_run "$name" "$RUN_ID" succeeded
      local archive
      archive=$(output archive)
      [[ $archive == /data/backups/*.tar.gz ]] || fail "$name: archive $archive is not on the volume"
      tar -tzf "${VOL[$name]}/${archive#/data/}" | grep -qx './file' || fail "$name: the archive lacks the file"
      ;;
    release)
      # Build and test side by side, then the approval over the approve hook, the deploys and the smoke test
      # (a child workflow bundled in the image).
      http_run "$name" "{\"git_repo\":\"$repo\",\"tag\":\"v1.0\",\"services\":\"api, web\",
        \"test_command\":\"sh ./test.sh\",\"health_url\":\"file:///srv/fixture/site\"}"
      deadline_wait 90 "$name: run $RUN_ID to wait for approval" awaiting_step_approval "$name" "$RUN_ID"
      curl -fsS -o /dev/null -X POST -H "X-DF-Approve-Token: $approve_token" -H 'Content-Type: application/json' \
        --data-binary "{\"run_id\":\"$RUN_ID\",\"by\":\"release-manager\"}" \
        "http://127.0.0.1:${PORT_[$name]}/hooks/approve" || fail "$name: POST /hooks/approve failed"
      wait_run "$name" "$RUN_ID" succeeded
      assert_eq '["api@v1.0","web@v1.0"] healthy' "$(output deployed) $(output health)" \
        "$name: outputs"
      ;;
    smoke-test)
      http_run "$name" '{"url":"file:///srv/fixture/site","attempts":1}'
      wait_run "$name" "$RUN_ID" succeeded
      assert_eq healthy "$(output health)" "$name: outputs"
      ;;
    *) fail "$name: this test has no HTTP run for it: add one to check_http_run" ;;
  esac
  HTTP_RUN[$name]=$RUN_ID
}
declare -A HTTP_RUN

# check_cron_at NAME: the image's scheduler in its --at mode, inside the container, starts the run of the
# skill's first cron line at a minute it is due.
check_cron_at() {
  local name=$1 m h dom mon dow when before new
  read -r m h dom mon dow _ < <(grep -v '^#' "${ROOT[$name]}/app/crontab" | head -n 1)
  [[ $dom$mon$dow == '***' && $m =~ ^([0-9]+|\*)$ && $h =~ ^([0-9]+|\*)$ ]] ||
    fail "$name: this test picks a due minute for 'M H * * *' schedules only, not '$m $h $dom $mon $dow'"
  [[ $m == '*' ]] && m=0
  [[ $h == '*' ]] && h=0
  when=$(date -u -d "2030-01-07 $h:$m:00" +%s)
  before=$(find "${VOL[$name]}/runs" -name '*.json' | sort)
  in_container "$name" /app/hooks/scheduler.sh --at "$when" >"$WORK/$name.at.log" 2>&1 ||
    fail "$name: scheduler.sh --at failed: $(cat "$WORK/$name.at.log")"
  new=$(comm -13 <(echo "$before") <(find "${VOL[$name]}/runs" -name '*.json' | sort))
  [[ -n $new && $(wc -l <<<"$new") == 1 ]] || fail "$name: the scheduler started not exactly one run: [$new]"
  local id
  id=$(basename "$new" .json)
  deadline_wait 90 "$name: cron run $id to end" run_ended "$name" "$id"
  assert_eq cron "$(jq -r .trigger "$new")" "$name: trigger of the scheduler's run"
  # The trigger's inputs exactly, besides the defaults of the others.
  assert_eq "$(jq -cS . "${ROOT[$name]}/app/cron/1.json")" \
    "$(jq -cS --slurpfile want "${ROOT[$name]}/app/cron/1.json" '.inputs | with_entries(select(.key as $k | $want[0] | has($k)))' "$new")" \
    "$name: inputs of the cron run"
}

# check_state NAME: run records are on the volume, none in the container's own file system.
check_state() {
  local name=$1
  [[ -f ${VOL[$name]}/runs/${HTTP_RUN[$name]}.json ]] || fail "$name: the run record is not on the volume"
  [[ -z $(find "${ROOT[$name]}/data" -mindepth 1 -print -quit) ]] ||
    fail "$name: files in the container's own /data: $(find "${ROOT[$name]}/data" -mindepth 1 | head)"
  [[ ! -e ${ROOT[$name]}/app/state ]] || fail "$name: records written into /app/state"
  # Evidence: the run's ledger entry is on the volume too, and the image has the openssl that signs it.
  grep -q "\"run_id\":\"${HTTP_RUN[$name]}\"," "${VOL[$name]}/evidence/ledger.jsonl" 2>/dev/null ||
    fail "$name: the run has no entry in the evidence ledger on the volume"
  [[ -x ${ROOT[$name]}/usr/bin/openssl ]] || fail "$name: the image has no openssl (evidence signatures)"
}

# check_restart NAME: stop the container, start it again on the same volume: earlier runs are still served.
check_restart() {
  local name=$1
  stop_container "$name"
  # With the service gone the image's HEALTHCHECK command must fail (run here with the image's user and env).
  local env
  mapfile -t env < <(printf '%s\n' "${ENV_[$name]}"; service_env "$name")
  if chroot --userspec="${UID_[$name]}:${GID_[$name]}" "${ROOT[$name]}" /usr/bin/env -i "${env[@]}" \
    sh -c "${HEALTH_CMD[$name]}" >/dev/null 2>&1; then
    fail "$name: the HEALTHCHECK command succeeds with the service stopped"
  fi
  start_container "$name"
  assert_eq succeeded "$(status_of "$name" "${HTTP_RUN[$name]}" | jq -r .status)" "$name: status after the restart"
}

# check_container NAME DIR: everything but the restart and the long-running scheduler's cron run.
check_container() {
  local name=$1 dir=$2
  istep "$name: build the image, check user, port, volume, labels, HEALTHCHECK"
  build_and_inspect "$name" "$dir"
  istep "$name: the entrypoint in the image's file system, as df; health hook and HEALTHCHECK command"
  start_container "$name"
  assert_eq "${UID_[$name]}" "$(container_uids "$name")" "$name: user ids of the container's processes"
  assert_eq '{"status":"ok","skill":"'"$name"'","version":"'"$(jq -r .version "$dir/skill.json")"'"}' \
    "$(curl -fsS "http://127.0.0.1:${PORT_[$name]}/hooks/health")" "$name: health answer"
  in_container "$name" sh -c "${HEALTH_CMD[$name]}" || fail "$name: the image's HEALTHCHECK command failed"
  istep "$name: a run over HTTP runs the command steps inside the image"
  check_http_run "$name"
  if [[ -f $dir/crontab ]]; then
    istep "$name: the image's scheduler runs, as df, and starts a cron run"
    local schedules
    schedules=$(grep -vc '^#' "$dir/crontab")
    deadline_wait 20 "$name: the scheduler's start line" grep -q "scheduler started with $schedules schedule(s)" \
      "$WORK/$name.service.log"
    [[ $name == image-probe ]] || check_cron_at "$name"
  fi
  check_state "$name"
}

# The test workflow first: its every-minute cron trigger fires from the image's scheduler while the templates
# are checked.
probe=""
for dir in "${folders[@]}"; do [[ ${dir##*/} == image-probe ]] && probe=$dir; done
[[ -n $probe ]] || fail "tests/data/image-workflow.md did not compile to image-probe"
check_container image-probe "$probe"
probe_started=$SECONDS

for dir in "${folders[@]}"; do
  name=${dir##*/}
  [[ $name == image-probe ]] && continue
  check_container "$name" "$dir"
  istep "$name: records on the /data volume survive a restart of the service"
  check_restart "$name"
  stop_container "$name"
done

istep "image-probe: the image's own scheduler starts the every-minute cron run"
cron_run() { # the first record of a cron run on the volume
  local f
  for f in "${VOL[image-probe]}"/runs/*.json; do
    [[ -f $f && $(jq -r .trigger "$f" 2>/dev/null) == cron ]] && { echo "$f"; return 0; }
  done
  return 1
}
# The scheduler skips the minute it starts in, then runs the due lines at the start of each minute.
deadline_wait $((probe_started + 80 - SECONDS)) "image-probe: a cron run started by the image's scheduler" cron_run
cron_id=$(basename "$(cron_run)" .json)
wait_run image-probe "$cron_id" succeeded
assert_eq "from-cron cron" "$(jq -r '"\(.inputs.message) \(.trigger)"' <<<"$RECORD")" "image-probe: the cron run"
grep -q "run trigger=cron schedule=1 run_id=$cron_id" "$WORK/image-probe.service.log" ||
  fail "image-probe: no log line of the scheduler's cron run: $(cat "$WORK/image-probe.service.log")"

istep "image-probe: records on the /data volume survive a restart of the service"
check_state image-probe
check_restart image-probe
assert_eq succeeded "$(status_of image-probe "$cron_id" | jq -r .status)" "image-probe: cron run after the restart"
stop_container image-probe
echo "ok"
