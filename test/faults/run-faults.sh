#!/usr/bin/env bash
# `npm run test:faults`: the fault suite (test/faults/faults.ts). It stops and restarts its Kafka
# broker and Redis on purpose, so it brings its own (never the test stack or the machine's): a
# broker on ports 39092/39093 with a fresh data dir, and a Redis on 16391 with an append-only file
# (fsync always: a killed Redis comes back with its data, as a deployed one would). Builds the
# services, runs the suite, stops what it started. ~5 minutes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
[ -d node_modules ] || npm install --no-audit --no-fund
work="$(mktemp -d)"
export KAFKA_PORT="${FAULTS_KAFKA_PORT:-39092}" KAFKA_CONTROLLER_PORT="${FAULTS_KAFKA_CONTROLLER_PORT:-39093}" KAFKA_DATA_DIR="$work/kafka"
redis_port="${FAULTS_REDIS_PORT:-16391}"
redis_start="redis-server --port $redis_port --bind 127.0.0.1 --dir $work --appendonly yes --appendfsync always --save '' --daemonize yes --pidfile $work/redis.pid --logfile $work/redis.log"
redis_ready="for i in \$(seq 1 100); do redis-cli -p $redis_port ping >/dev/null 2>&1 && break; sleep 0.1; done"
cleanup() {
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  bash deploy/local/kafka.sh stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
echo "== fault suite: own Kafka on $KAFKA_PORT, own Redis on $redis_port (append-only file)"
KAFKA_FRESH=1 bash deploy/local/kafka.sh start >&2
bash -c "$redis_start && $redis_ready"
bash deploy/build/build.sh
export FAULTS_KAFKA_BROKERS="$(bash deploy/local/kafka.sh bootstrap)"
export FAULTS_REDIS_URL="redis://127.0.0.1:$redis_port/0"
export FAULTS_REDIS_PIDFILE="$work/redis.pid"
export FAULTS_REDIS_RESTART="$redis_start && $redis_ready"
export FAULTS_KAFKA_STOP="bash $ROOT/deploy/local/kafka.sh stop"
export FAULTS_KAFKA_START="bash $ROOT/deploy/local/kafka.sh start"
SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register test/faults/faults.ts
