#!/usr/bin/env bash
# The demo `npm start` runs once the services are healthy: simulate an hour of marketplace
# traffic with every fraud pattern injected, send it through the ingestion API, collect the
# alerts from fraud.alerts, and backtest them against the simulator's labels.
# Output in $VIGIL_STATE_DIR/demo/: events.ndjson, labels.csv, alerts.ndjson, report.html.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
set -a; source deploy/local/demo.env; set +a
OUT="${VIGIL_STATE_DIR:-$HOME/.local/state/vigil}/demo"
mkdir -p "$OUT"
# A new seed per run: event ids include it, and ingestion would acknowledge a replay of
# already-seen ids without publishing them again. DEMO_SEED=42 repeats a run.
SEED="${DEMO_SEED:-$(date +%s)}"
SIM="bash libs/simulator/bin/vigil-sim.sh"

echo "== demo: simulating 60 minutes of marketplace traffic (seed $SEED) with every fraud pattern injected"
$SIM simulate --seed "$SEED" --minutes 60 --inject all --tenant "$DEMO_TENANT" \
  --out "$OUT/events.ndjson" --labels "$OUT/labels.csv"
echo "== demo: sending $(wc -l <"$OUT/events.ndjson") events to http://127.0.0.1:3000 and collecting alerts"
$SIM replay --in "$OUT/events.ndjson" --url http://127.0.0.1:3000 --api-key "$DEMO_API_KEY" \
  --brokers "${KAFKA_BROKERS:-127.0.0.1:9092}" --alerts-out "$OUT/alerts.ndjson" --wait "${DEMO_WAIT:-15}"
echo "== demo: backtest of the alerts against the labels"
$SIM backtest --alerts "$OUT/alerts.ndjson" --labels "$OUT/labels.csv" --out "$OUT/report.html"
cat <<TXT

Alerts: $OUT/alerts.ndjson   Backtest report: $OUT/report.html
Dashboard: http://127.0.0.1:3003/dashboard (token: $ALERTING_DASHBOARD_TOKEN)
TXT
