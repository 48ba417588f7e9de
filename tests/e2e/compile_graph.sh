#!/usr/bin/env bash
# compile --graph: Mermaid that the real mermaid parser accepts, DOT that Graphviz lays out, SVG from
# Graphviz, for every template, the hostile corpus and tests/data/graph; the same Mermaid in SKILL.md and
# README.md; usage errors.
source "$(dirname "$0")/lib.sh"
cd "$WORK" || exit

mermaid_check="$DF_SRC/tests/tools/mermaid/check.mjs"
[[ -d "$DF_SRC/tests/tools/mermaid/node_modules/mermaid" ]] ||
  skip "the mermaid parser is not installed: npm ci --prefix tests/tools/mermaid (bin/setup does it)"
command -v dot >/dev/null || skip "Graphviz's dot is not installed (Debian package graphviz)"

workflows=("$DF_SRC"/workflow-templates/*.md "$DF_SRC"/tests/data/graph/*.md)
for f in "$DF_SRC"/tests/data/hostile/*.md; do
  compile --check -q "$f" 2>/dev/null && workflows+=("$f")
done

step "every workflow's Mermaid parses with mermaid, its DOT lays out with dot"
mmd=()
for f in "${workflows[@]}"; do
  base=$(basename "$f" .md)
  expect_exit 0 compile -q --graph mermaid "$f"
  assert_contains "$OUT" "flowchart TD" "$base's Mermaid"
  printf '%s\n' "$OUT" >"$base.mmd"
  mmd+=("$base.mmd")
  expect_exit 0 compile -q --graph dot "$f"
  printf '%s\n' "$OUT" >"$base.dot"
  dot -Tsvg "$base.dot" >/dev/null 2>"$base.dot.err" || fail "dot rejects the DOT of $base: $(cat "$base.dot.err")"
done
node "$mermaid_check" "${mmd[@]}" >mermaid.out || fail "mermaid rejects: $(grep -v ': ok' mermaid.out)"

step "the checkers themselves reject broken text"
printf 'flowchart TD\n  a["x"y"] --> b\n' >broken.mmd
if node "$mermaid_check" broken.mmd >/dev/null; then fail "the mermaid check accepted a raw quote in a label"; fi
printf 'digraph { "a" [label="ends\\"]; }\n' >broken.dot
if dot -Tsvg broken.dot >/dev/null 2>&1; then fail "dot accepted a label that swallows its closing quote"; fi

step "user text reaches the graph only as label text"
breakers="$DF_SRC/tests/data/graph/breakers.md"
expect_exit 0 compile -q --graph mermaid "$breakers"
assert_contains "$OUT" 's2("2. A#quot;] --#gt; B[evil<br>agent, timeout 90 s")' "the hostile step's node"
assert_contains "$OUT" 'target = end#quot;]; click s1 #quot;javascript:alert(1)' "the cron input's label"
assert_not_contains "$OUT" "click s1 \"javascript" "the Mermaid"
expect_exit 0 compile -q --graph dot "$breakers"
assert_contains "$OUT" '"s3" [label="3. Ends with a backslash \\\ncommand' "the backslash title's DOT label"

step "the graph shows kinds, the approval gate, rollback and the failure path"
expect_exit 0 compile -q --graph mermaid "$DF_SRC/workflow-templates/deploy-service.md"
assert_contains "$OUT" 's1["1. Clone Repository<br>command"]'
assert_contains "$OUT" 's2("2. Create Coolify App<br>agent")'
assert_contains "$OUT" 'approval{"Approval when environment = production"}'
assert_contains "$OUT" 'approval -->|"approved"| s1'
assert_contains "$OUT" 'steps -.->|"on failure"| r1'
assert_contains "$OUT" 'inputs -.-> approval'

step "steps with Needs: an edge from every step a step needs; each step that needs nothing starts the run"
expect_exit 0 compile -q --graph mermaid "$DF_SRC/tests/data/graph/needs.md"
# The whole graph, as reviewed: tests/data/graph/needs.mmd (regenerate it with compile --graph mermaid).
assert_eq "$(cat "$DF_SRC/tests/data/graph/needs.mmd")" "$OUT" "the Mermaid graph of needs.md"
assert_contains "$OUT" 's1 -->|"needs"| s3'
assert_contains "$OUT" 'approval -->|"approved"| s2'
assert_contains "$OUT" 's3 --> s4'
assert_contains "$OUT" 's4 --> ok'
assert_contains "$OUT" 's4("4. Announce<br>agent<br>if release != dry-run")'
expect_exit 0 compile -q --graph dot "$DF_SRC/tests/data/graph/needs.md"
assert_contains "$OUT" '"s2" -> "s3" [label="needs"];'

step "a step with Approval: required is drawn as an approval gate, with its approvers and wait"
expect_exit 0 compile -q --graph mermaid "$DF_SRC/tests/data/graph/approval.md"
# As reviewed: tests/data/graph/approval.mmd (regenerate it with compile --graph mermaid).
assert_eq "$(cat "$DF_SRC/tests/data/graph/approval.mmd")" "$OUT" "the Mermaid graph of approval.md"
assert_contains "$OUT" 's2{"2. Deploy<br>command<br>approval by alice, bob, waits 2 h"}'
assert_contains "$OUT" 'class s2 approval'
expect_exit 0 compile -q --graph dot "$DF_SRC/tests/data/graph/approval.md"
assert_contains "$OUT" '"s2" [label="2. Deploy\ncommand\napproval by alice, bob, waits 2 h", shape=diamond'

step "on failure: the rollback chain, then the On Failure chain, then the failed end"
expect_exit 0 compile -q --graph mermaid "$DF_SRC/tests/data/graph/on-failure.md"
# The whole graph, as reviewed: tests/data/graph/on-failure.mmd (regenerate it with compile --graph mermaid).
assert_eq "$(cat "$DF_SRC/tests/data/graph/on-failure.mmd")" "$OUT" "the Mermaid graph of on-failure.md"
assert_contains "$OUT" 'steps -.->|"on failure"| r1'
assert_contains "$OUT" 'r1 --> f1'
assert_contains "$OUT" 'f2 --> failed'
assert_contains "$OUT" 'subgraph on_failure ["On Failure"]'

step "a child-workflow step (Uses:) is a subroutine box naming its child"
expect_exit 0 compile -q --graph mermaid "$DF_SRC/tests/data/graph/uses.md"
# The whole graph, as reviewed: tests/data/graph/uses.mmd (regenerate it with compile --graph mermaid).
assert_eq "$(cat "$DF_SRC/tests/data/graph/uses.mmd")" "$OUT" "the Mermaid graph of uses.md"
assert_contains "$OUT" 's2[["2. Deploy<br>uses deploy-one-service, 1 retry"]]'
expect_exit 0 compile -q --graph dot "$DF_SRC/tests/data/graph/uses.md"
assert_contains "$OUT" '"s2" [label="2. Deploy\nuses deploy-one-service, 1 retry", shape=box, peripheries=2, style=filled'

step "a For each step carries its list on its node"
cat >"$WORK/fanout.md" <<'MD'
# Workflow: Fan Out

## Inputs
- `services` (required): the services, comma-separated

## Steps
### 1. Deploy each service
- For each: service in $services
- Continue on error: yes

```sh
echo "deploying $service"
```
MD
expect_exit 0 compile -q --graph mermaid "$WORK/fanout.md"
assert_contains "$OUT" 's1["1. Deploy each service<br>command<br>for each service in services, continue on error"]'
node "$mermaid_check" /dev/stdin <<<"$OUT" >/dev/null || fail "mermaid rejects the For each graph"
expect_exit 0 compile -q --graph dot "$WORK/fanout.md"
assert_contains "$OUT" 'for each service in services, continue on error'
dot -Tsvg <<<"$OUT" >/dev/null || fail "dot rejects the For each graph"

step "--graph svg is Graphviz's SVG, with the step titles"
expect_exit 0 compile -q --graph svg "$DF_SRC/workflow-templates/backup-data.md"
assert_contains "$OUT" "<svg" "the SVG"
python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parseString(sys.stdin.buffer.read())' <<<"$OUT" ||
  fail "the SVG is not well-formed XML"
step "--graph svg without Graphviz says what to install"
mkdir -p emptybin
expect_exit 69 env PATH="$WORK/emptybin" "$DF_BIN/df-compile" -q --graph svg "$DF_SRC/workflow-templates/backup-data.md"
assert_contains "$ERR" "needs Graphviz's dot on PATH (Debian package graphviz)"
assert_eq "" "$OUT" "stdout"

step "SKILL.md and README.md carry the same Mermaid graph"
expect_exit 0 compile -q -o out "$DF_SRC/workflow-templates/run-tests.md"
expect_exit 0 compile -q --graph mermaid "$DF_SRC/workflow-templates/run-tests.md"
graph=$OUT
for file in SKILL.md README.md; do
  block=$(sed -n '/^```mermaid$/,/^```$/p' "out/run-tests/$file" | sed '1d;$d')
  assert_eq "$graph" "$block" "the Mermaid block in $file"
done

step "usage errors and invalid workflows"
expect_exit 64 compile --graph png "$DF_SRC/workflow-templates/run-tests.md"
assert_contains "$ERR" "--graph takes mermaid, dot or svg"
expect_exit 64 compile --graph dot "$DF_SRC/workflow-templates/run-tests.md" "$DF_SRC/workflow-templates/backup-data.md"
assert_contains "$ERR" "--graph draws one workflow"
expect_exit 64 compile --graph dot --json "$DF_SRC/workflow-templates/run-tests.md"
printf '# Workflow: Broken\n\n## Steps\n' >broken.md
expect_exit 1 compile --graph mermaid broken.md
assert_eq "" "$OUT" "stdout of an invalid workflow's graph"
[[ ! -e output ]] || fail "--graph wrote an output folder"
echo "ok"
