#!/usr/bin/env bash
# Benchmark for docs/performance.md "## Deploy": one skill vs 20 skills in one invocation against the
# Coolify stand-in with a 2 s simulated build, and the API requests each deploy makes.
#   DF_BIN=build/bin DF_SRC=. tests/bench/deploy_bench.sh
source "$(dirname "$0")/../e2e/lib.sh"
source "$(dirname "$0")/../e2e/deploy_lib.sh"
start_standin --build-seconds 2 --ttl 300
for i in $(seq -w 1 20); do make_skill "bench$i"; done

run() { # label dirs...
  local label=$1 start end before after
  shift
  before=$(requests)
  start=$(date +%s.%N)
  deploy --poll-interval 2s "$@" >/dev/null 2>&1 || fail "$label failed"
  end=$(date +%s.%N)
  after=$(requests)
  printf '%-34s %6.2f s  %4d requests (%.1f per skill)\n' "$label" "$(echo "$end - $start" | bc)" \
    $((after - before)) "$(echo "($after - $before) / $#" | bc -l)"
}
echo "machine: $(nproc) cores; stand-in build time 2 s; poll interval 2 s"
run "first deploy, 1 skill" "$WORK/skills/bench01"
dirs=()
for i in $(seq -w 2 20); do dirs+=("$WORK/skills/bench$i"); done
run "first deploy, 19 skills at once" "${dirs[@]}"
for i in $(seq -w 1 20); do echo "# v2" >>"$WORK/skills/bench$i/README.md"; done
run "changed redeploy, 1 skill" "$WORK/skills/bench01"
all=()
for i in $(seq -w 1 20); do all+=("$WORK/skills/bench$i"); done
for i in $(seq -w 1 20); do echo "# v3" >>"$WORK/skills/bench$i/README.md"; done
run "changed redeploy, 20 skills at once" "${all[@]}"
run "unchanged redeploy, 20 skills" "${all[@]}"
