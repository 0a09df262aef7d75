#!/usr/bin/env bash
# Whole-system backtest: starts the four services on their own ports, topic prefix and Redis key
# prefix (so a shared broker and Redis are safe), simulates, replays, collects alerts and signals,
# backtests, and stops the services it started (by pid).
#   KAFKA_BROKERS=127.0.0.1:19092 REDIS_URL=redis://127.0.0.1:6379/0 bash libs/simulator/bin/e2e-backtest.sh [seed] [minutes] [outdir]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
seed="${1:-42}"; minutes="${2:-60}"; out="${3:-$root/test/bench/reports}"
brokers="${KAFKA_BROKERS:-127.0.0.1:9092}"; redis="${REDIS_URL:-redis://127.0.0.1:6379/0}"
prefix="simbt-$seed-$$"; tenant="tenant-sim"; key="sim-key"
base_port="${SIM_BASE_PORT:-3110}"
work="$(mktemp -d)"; mkdir -p "$out"
# shellcheck source=local-services.sh
source "$root/libs/simulator/bin/local-services.sh"
trap stop_services EXIT
start_services "$prefix" "$work"

cd "$root"
sim=(bash libs/simulator/bin/vigil-sim.sh)
"${sim[@]}" simulate --seed "$seed" --minutes "$minutes" --inject all --tenant "$tenant" --out "$work/events.ndjson" --labels "$work/labels.csv"
"${sim[@]}" replay --in "$work/events.ndjson" --url "http://127.0.0.1:$base_port" --api-key "$key" --brokers "$brokers" \
  --topic-prefix "$prefix" --alerts-out "$work/alerts.ndjson" --signals-out "$work/signals.ndjson" --wait "${SIM_WAIT:-15}" | tee "$work/replay.json"
"${sim[@]}" backtest --alerts "$work/alerts.ndjson" --labels "$work/labels.csv" --out "$out/backtest-alerts.html" | tee "$out/backtest-alerts.txt"
"${sim[@]}" backtest --signals "$work/signals.ndjson" --labels "$work/labels.csv" --out "$out/backtest-signals.html" | tee "$out/backtest-signals.txt"
cp "$work/replay.json" "$out/backtest-replay.json"
echo "work files (events, labels, alerts, signals, service logs): $work" >&2
