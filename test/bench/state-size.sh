#!/usr/bin/env bash
# Redis state per ingested event (issue 13), this tree beside a reference commit in the same run:
# one simulated day (every pattern injected) through the four services of each tree, then the keys
# and bytes left under each run's prefix, by key kind. Writes test/bench/reports/redis-state.md.
#   bash test/bench/state-size.sh [ref] [seed=7] [minutes=1440]
# ref defaults to HEAD when the tree has uncommitted changes, else HEAD~1. Uses the test stack
# (starts it when it is not running and then stops it at the end; a stack that was already running
# is left alone). ~5 minutes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
if [ -z "$(git status --porcelain -- services libs)" ]; then ref="${1:-HEAD~1}"; else ref="${1:-HEAD}"; fi
seed="${2:-7}"; minutes="${3:-1440}"
report="$root/test/bench/reports/redis-state.md"
stack_started=0
if bash test/stack.sh running; then
  echo "using the test stack that was already running; leaving it running" >&2
  [ -n "${VIGIL_TEST_KAFKA_BROKERS:-}" ] && [ -n "${VIGIL_TEST_REDIS_URL:-}" ] || eval "$(bash test/stack.sh start)"
else
  stack_started=1
  trap 'bash test/stack.sh stop' EXIT # replaced by cleanup below, which also stops it
  eval "$(bash test/stack.sh start)"
fi
brokers="$VIGIL_TEST_KAFKA_BROKERS"; redis="$VIGIL_TEST_REDIS_URL"
tenant="tenant-sim"; key="sim-key"; base_port="${SIM_BASE_PORT:-3130}"
work="$(mktemp -d)"
# shellcheck source=../../libs/simulator/bin/local-services.sh
source "$root/libs/simulator/bin/local-services.sh"
cleanup() {
  stop_services
  git worktree remove --force "$work/ref-tree" 2>/dev/null || true
  if [ "$stack_started" = 1 ]; then echo "stopping the test stack this run started" >&2; bash test/stack.sh stop; fi
}
trap cleanup EXIT

load="$(cut -d' ' -f1-3 /proc/loadavg)"
ref_commit="$(git rev-parse --short "$ref")"
git worktree add --detach --quiet "$work/ref-tree" "$ref"
ln -s "$root/node_modules" "$work/ref-tree/node_modules"
sim=(bash libs/simulator/bin/vigil-sim.sh)
"${sim[@]}" simulate --seed "$seed" --minutes "$minutes" --inject all --tenant "$tenant" --out "$work/events.ndjson" --labels "$work/labels.csv"
events="$(wc -l <"$work/events.ndjson")"
run() { # $1 name, $2 tree
  local prefix="simst-$1-$$"
  mkdir -p "$work/$1"
  start_services "$prefix" "$work/$1" "$2"
  "${sim[@]}" replay --in "$work/events.ndjson" --url "http://127.0.0.1:$base_port" --api-key "$key" --brokers "$brokers" \
    --topic-prefix "$prefix" --alerts-out "$work/$1/alerts.ndjson" --signals-out "$work/$1/signals.ndjson" --wait "${SIM_WAIT:-10}" >"$work/$1/replay.json"
  SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register test/bench/redis-state.ts drain --brokers "$brokers" --prefix "$prefix"
  stop_services
  SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register test/bench/redis-state.ts measure \
    --redis "$redis" --prefix "$prefix" --events "$events" --json "$work/$1.json" --delete
  echo "$1: $(grep -m1 keysPerEvent "$work/$1.json") $(grep -m1 bytesPerEvent "$work/$1.json")" >&2
}
run ref "$work/ref-tree"
run now "$root"
# Same events, same rules: a change of the state's layout must not change a single signal.
signal_ids() { node -e 'const fs=require("fs");const ids=fs.readFileSync(process.argv[1],"utf8").split("\n").filter(Boolean).map(l=>{const s=JSON.parse(l);return s.signalId+" "+s.ruleId+" "+s.subject.type+":"+s.subject.id});console.log([...new Set(ids)].sort().join("\n"))' "$1"; }
if diff <(signal_ids "$work/ref/signals.ndjson") <(signal_ids "$work/now/signals.ndjson") >"$work/signals.diff"; then
  same_alerts="the same $(signal_ids "$work/now/signals.ndjson" | wc -l) signals (id, rule, subject; shadow rules included) in both runs"
else
  same_alerts="**signals differ** between the runs: $(grep -c '^<' "$work/signals.diff") only in the reference, $(grep -c '^>' "$work/signals.diff") only in this tree ($work/signals.diff)"
fi
dirty="$(git status --porcelain -- services libs | wc -l | tr -d ' ')"
SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register test/bench/redis-state.ts report --ref "$work/ref.json" --now "$work/now.json" --out "$report" \
  --meta "Command: \`bash test/bench/state-size.sh $ref $seed $minutes\`, $(date -u +%Y-%m-%dT%H:%MZ); load average at start $load (2 cores)" \
  --meta "Reference: commit $ref_commit; this tree: $(git rev-parse --short HEAD)$([ "$dirty" != 0 ] && echo " + $dirty uncommitted change(s)")" \
  --meta "Detection: $same_alerts" \
  --meta "Traffic: seed $seed, $minutes simulated minutes, every pattern injected, replayed through ingestion's HTTP API to the four services (real Kafka + Redis), default retention (7 d windows + 10 min lateness)"
echo "report: $report (work files: $work)" >&2
