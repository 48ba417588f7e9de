#!/usr/bin/env bash
# Compile benchmarks, whole-process: median wall time (hyperfine) and peak RSS (/usr/bin/time -v, else
# getrusage) for one template, 1,000 workflows in one invocation, and a 1 MiB workflow; peak memory against
# input size. Prints a Markdown report for docs/performance.md ("## Compile").
#   tests/bench/compile_bench.sh [BUILD_BIN_DIR]      (cmake --build --preset default --target bench-compile)
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(cd "${1:-$src/build/bin}" && pwd)  # absolute: the benchmark runs in a scratch folder
compile="$bin/df-compile"
[[ -x "$compile" ]] || { echo "compile_bench: $compile is not built" >&2; exit 66; }
command -v hyperfine >/dev/null || { echo "compile_bench: hyperfine is not installed" >&2; exit 69; }
work=$(mktemp -d "${TMPDIR:-/tmp}/df-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

# peak_rss_kib CMD...: the command's peak resident set size in KiB.
peak_rss_kib() {
  if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -v "$@" 2>&1 >/dev/null | sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p'
  else
    python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"
  fi
}
# measure NAME [hyperfine options] CMD: "median wall ms|mean CPU (user+sys) ms" of a whole process. No shell
# in between (-N), so the figures are compile's own; a loaded machine shows in wall time more than in CPU time.
measure() {
  local name=$1
  shift
  hyperfine -N --style none --export-json "$work/$name.json" "$@" >/dev/null 2>&1
  python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("%.1f ms | %.1f ms" % (r["median"] * 1000, (r["user"] + r["system"]) * 1000))' "$work/$name.json"
}

# Inputs: one template; 1,000 distinct workflows (the four templates under new titles); a ~1 MiB workflow.
cp "$src/workflow-templates/deploy-service.md" one.md
python3 - "$src/workflow-templates" <<'PY'
import glob, os, sys
templates = sorted(glob.glob(os.path.join(sys.argv[1], "*.md")))
texts = [open(t, encoding="utf-8").read().split("\n", 1)[1] for t in templates]
os.mkdir("many")
for i in range(1, 1001):
    with open(f"many/flow-{i}.md", "w", encoding="utf-8") as f:
        f.write(f"# Workflow: Bench Flow {i}\n" + texts[(i - 1) % len(texts)])
PY
# release.md runs smoke-test.md as a child workflow (`Uses: smoke-test.md`), found beside it.
cp "$src/workflow-templates/smoke-test.md" many/
# size_workflow BYTES: a workflow of about BYTES: command steps of about 1.1 KB, at most 900 (the limit is 1,000).
size_workflow() {
  python3 - "$1" <<'PY'
import sys
target = int(sys.argv[1])
out = ["# Workflow: Big Flow\n\n## Description\nA large generated workflow.\n\n",
       "## Inputs\n- `target` (required): where\n\n## Steps\n"]
steps = min(900, max(1, target // 1100))
per_step = target // steps - 60
line = "echo " + "x" * 64 + "\n"
for i in range(1, steps + 1):
    body = line * max(per_step // len(line), 1)
    out.append(f"### {i}. Step number {i}\nPrepare part {i} of the target.\n\n```sh\n{body}```\n\n")
sys.stdout.write("".join(out))
PY
}
size_workflow 1000000 >big.md
size_workflow 250000 >medium.md
size_workflow 60000 >small.md
big_bytes=$(stat -c %s big.md)
"$compile" -q --check big.md 2>/dev/null || { echo "compile_bench: the 1 MiB workflow does not compile" >&2; exit 1; }

many=$(printf 'many/flow-%d.md ' $(seq 1000))
one_check=$(measure one-check --warmup 5 --runs 200 "$compile -q --check one.md")
one_write=$(measure one-write --warmup 5 --runs 100 --prepare "rm -rf out" "$compile -q -o out one.md")
one_same=$(measure one-same --warmup 5 --runs 200 "$compile -q -o same one.md")
many_check=$(measure many-check --warmup 1 --runs 10 "$compile -q --check $many")
# The previous batch is moved aside, not deleted: on ext4 without a journal (this VM's) the kernel skips
# inodes freed in the last ~35 s one by one when it allocates new ones (recently_deleted), so a batch
# written right after deleting the last one measures that scan, not compile (docs/performance.md).
mkdir aside
many_write=$(measure many-write --warmup 1 --runs 5 --prepare "sh -c 'mv out aside/\$\$ 2>/dev/null; true'" \
  "$compile -q -o out $many")
big_check=$(measure big-check --warmup 2 --runs 20 "$compile -q --check big.md")
big_write=$(measure big-write --warmup 2 --runs 20 --prepare "rm -rf out" "$compile -q -o out big.md")
true_run=$(measure true --warmup 5 --runs 200 /bin/true)

rss_one=$(peak_rss_kib "$compile" -q --check one.md)
rss_many=$(peak_rss_kib "$compile" -q --check $many)
rss_many_write=$(rm -rf out && peak_rss_kib "$compile" -q -o out $many)
rss_small=$(peak_rss_kib "$compile" -q --check small.md)
rss_medium=$(peak_rss_kib "$compile" -q --check medium.md)
rss_big=$(peak_rss_kib "$compile" -q --check big.md)
rss_true=$(peak_rss_kib /bin/true)

mib() { echo "$(($1 / 1024)).$(($1 % 1024 * 10 / 1024)) MiB"; }
cat <<REPORT
Machine: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1), $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB RAM,
$(. /etc/os-release && echo "$PRETTY_NAME"), $(uname -r); df-compile $("$compile" --version | awk '{print $NF}') (RelWithDebInfo);
hyperfine $(hyperfine --version | awk '{print $2}'); $(date -u +%Y-%m-%d); load average when done: $(cut -d' ' -f1-3 /proc/loadavg).

| Case | Median wall time | CPU time (user + sys) | Peak RSS |
| --- | --- | --- | --- |
| \`/bin/true\` (process start-up on this machine) | ${true_run} | |
| one template (deploy-service.md), \`--check\` | ${one_check} | $(mib "$rss_one") |
| one template, writing a new folder (durable: two syncfs) | ${one_write} | |
| one template, recompiling unchanged output (nothing written) | ${one_same} | |
| 1,000 workflows in one invocation, \`--check\` | ${many_check} | $(mib "$rss_many") |
| 1,000 workflows in one invocation, writing 1,000 folders (durable: two syncfs) | ${many_write} | $(mib "$rss_many_write") |
| $((big_bytes / 1024)) KiB workflow (900 command steps of 1.1 KB), \`--check\` | ${big_check} | $(mib "$rss_big") |
| $((big_bytes / 1024)) KiB workflow, writing its folder | ${big_write} | |

Peak RSS against input size (\`--check\`; \`/bin/true\` peaks at ${rss_true} KiB here):
$(stat -c %s small.md) bytes → ${rss_small} KiB, $(stat -c %s medium.md) bytes → ${rss_medium} KiB, ${big_bytes} bytes → ${rss_big} KiB.
REPORT
