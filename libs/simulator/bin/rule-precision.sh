#!/usr/bin/env bash
# Per-rule precision on simulated traffic through the real services. For each seed: starts the
# four services on their own ports, topic prefix and Redis key prefix (a shared broker and Redis
# are safe), simulates `minutes` of traffic with every pattern injected, replays it through
# ingestion, collects fraud.signals (enforce and shadow) and stops the services it started (by
# pid); then joins all runs' signals with their labels and writes the report.
#   KAFKA_BROKERS=127.0.0.1:19092 REDIS_URL=redis://127.0.0.1:6379/0 \
#     bash libs/simulator/bin/rule-precision.sh ["7 42"] [minutes=1440] [report.md]
# (npm run rule-precision -- "7 42" 1440). About 2 minutes per simulated day and seed on 2 cores.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
seeds="${1:-7 42}"; minutes="${2:-1440}"; report="${3:-$root/test/bench/reports/rule-precision.md}"
brokers="${KAFKA_BROKERS:-127.0.0.1:9092}"; redis="${REDIS_URL:-redis://127.0.0.1:6379/0}"
tenant="tenant-sim"; key="sim-key"
base_port="${SIM_BASE_PORT:-3120}"
work="$(mktemp -d)"; mkdir -p "$(dirname "$report")"
# shellcheck source=local-services.sh
source "$root/libs/simulator/bin/local-services.sh"
trap stop_services EXIT

cd "$root"
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
dirty="$(git status --porcelain -- services libs 2>/dev/null | wc -l | tr -d ' ')"
started="$(date -u +%Y-%m-%dT%H:%MZ)"
sim=(bash libs/simulator/bin/vigil-sim.sh)
runs=()
t0=$(date +%s)
for seed in $seeds; do
  dir="$work/seed-$seed"; mkdir -p "$dir"
  start_services "simrp-$seed-$$" "$dir"
  "${sim[@]}" simulate --seed "$seed" --minutes "$minutes" --inject all --tenant "$tenant" --out "$dir/events.ndjson" --labels "$dir/labels.csv"
  "${sim[@]}" replay --in "$dir/events.ndjson" --url "http://127.0.0.1:$base_port" --api-key "$key" --brokers "$brokers" \
    --topic-prefix "simrp-$seed-$$" --alerts-out "$dir/alerts.ndjson" --signals-out "$dir/signals.ndjson" --wait "${SIM_WAIT:-20}" >"$dir/replay.json"
  stop_services
  runs+=(--run "seed $seed=$dir")
done
t1=$(date +%s)
"${sim[@]}" rule-precision "${runs[@]}" --rules services/velocity/rules/velocity-rules.yaml --out "$report" \
  --meta "measured $started at commit $commit$([ "$dirty" != 0 ] && echo " with $dirty uncommitted change(s) under services/ and libs/") on this 2-core machine, $((t1 - t0)) s in all" \
  --meta "\`npm run rule-precision -- \"$seeds\" $minutes\`: per seed $minutes simulated minutes from 2026-03-02T09:00Z, every pattern injected once, replayed through the four services (real Kafka + Redis)"
echo "work files (events, labels, alerts, signals, service logs per seed): $work" >&2
