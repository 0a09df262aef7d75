#!/usr/bin/env bash
# `npm stop`: stops the services started by up.sh, then Kafka and the Redis it started.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUN_DIR="${VIGIL_STATE_DIR:-$HOME/.local/state/vigil}/run"
for pidfile in "$RUN_DIR"/*.pid; do
  [ -f "$pidfile" ] || continue
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    # 25 s: past the services' own bound (SHUTDOWN_TIMEOUT_MS, 20 s by default), so they stop by themselves
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    echo "stopped $(basename "$pidfile" .pid) (pid $pid)"
  fi
  rm -f "$pidfile"
done
bash "$ROOT/deploy/local/kafka.sh" stop
bash "$ROOT/deploy/local/redis.sh" stop
