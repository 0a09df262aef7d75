#!/usr/bin/env bash
# `npm start`: the whole system on this machine, then a demo.
#   1. installs dependencies when missing;
#   2. starts Kafka (deploy/local/kafka.sh, port 9092) and Redis (deploy/local/redis.sh, 6379);
#   3. starts the four services in the background (logs and pids under $VIGIL_STATE_DIR/run);
#   4. waits until every /health says Kafka and Redis are up;
#   5. runs the demo (deploy/local/demo.sh) unless VIGIL_DEMO=0.
# `npm stop` (deploy/local/down.sh) stops all of it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
STATE_ROOT="${VIGIL_STATE_DIR:-$HOME/.local/state/vigil}"
RUN_DIR="$STATE_ROOT/run"
mkdir -p "$RUN_DIR"

# `npm install`, not `npm ci`: npm records only this platform's optional native binaries
# (@swc/core-*) in the lockfile (npm/cli#4828), and `npm ci` then refuses the lockfile.
# `npm install` keeps the locked versions and fills those entries in.
if [ ! -d node_modules ] || [ package.json -nt node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== installing dependencies"
  npm install --no-audit --no-fund
fi

echo "== building the services (dist/)"
bash deploy/build/build.sh

echo "== starting Kafka and Redis"
bash deploy/local/kafka.sh start
bash deploy/local/redis.sh start
export KAFKA_BROKERS="$(bash deploy/local/kafka.sh bootstrap)"
export REDIS_URL="redis://127.0.0.1:${REDIS_PORT:-6379}/0"
set -a
# shellcheck source=demo.env
source deploy/local/demo.env
set +a

declare -A PORTS=([ingestion]=3000 [velocity]=3001 [review-analysis]=3002 [alerting]=3003)
for service in ingestion velocity review-analysis alerting; do
  pidfile="$RUN_DIR/$service.pid"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "   $service already running (pid $(cat "$pidfile"))"
    continue
  fi
  PORT="${PORTS[$service]}" \
    nohup node --max-old-space-size=200 "dist/services/$service/src/main.js" \
    >"$RUN_DIR/$service.log" 2>&1 &
  echo $! >"$pidfile"
  echo "   $service starting on :${PORTS[$service]} (pid $!, log $RUN_DIR/$service.log)"
done

echo "== waiting for the services to report healthy"
for service in ingestion velocity review-analysis alerting; do
  port="${PORTS[$service]}"
  for i in $(seq 1 120); do
    # /health answers 200 only when Kafka, Redis and every consumer of the service are up.
    if curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; then
      printf '   %-16s healthy on :%s (Kafka, Redis and its consumers up)\n' "$service" "$port"
      break
    fi
    if ! kill -0 "$(cat "$RUN_DIR/$service.pid")" 2>/dev/null; then
      echo "   $service exited; its log:" >&2
      tail -30 "$RUN_DIR/$service.log" >&2
      echo "   what did start keeps running: npm run status shows it, npm stop stops it" >&2
      exit 1
    fi
    [ "$i" = 120 ] && { echo "   $service not healthy after 60 s; log: $RUN_DIR/$service.log (npm run status shows what is up, npm stop stops it)" >&2; exit 1; }
    sleep 0.5
  done
done

cat <<TXT

Vigil is running:
  ingestion API   http://127.0.0.1:3000/v1/events   (docs: http://127.0.0.1:3000/docs, API key: $DEMO_API_KEY)
  velocity        http://127.0.0.1:3001/health   (lists and bans: X-Api-Key ${VELOCITY_ADMIN_KEYS#*:})
  review-analysis http://127.0.0.1:3002/health
  dashboard       http://127.0.0.1:3003/dashboard   (token: $ALERTING_DASHBOARD_TOKEN)
  metrics         http://127.0.0.1:300{0,1,2,3}/metrics
  alerts topic    fraud.alerts on $KAFKA_BROKERS
What is up, consumer lag, recent alerts: npm run status
Stop everything with: npm stop
TXT

if [ "${VIGIL_DEMO:-1}" != 0 ]; then
  bash deploy/local/demo.sh
fi
