#!/usr/bin/env bash
# `npm run test:cluster`: the cluster suite (test/cluster/cluster.ts). It brings its own stacks
# and stops only what it started: a single-node reference (one broker on 39192/39193, a Redis on
# 16393) and the cluster (three KRaft brokers on 39292-39294, controllers 39310-39312; a Redis
# Cluster of six nodes on 17001-17006), all with fresh data dirs. Builds the services, runs the
# suite, stops everything. ~6-8 minutes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
[ -d node_modules ] || npm install --no-audit --no-fund
work="$(mktemp -d)"
ref_kafka=(env KAFKA_NODES=1 KAFKA_PORT="${CLUSTER_REF_KAFKA_PORT:-39192}" KAFKA_CONTROLLER_PORT="${CLUSTER_REF_KAFKA_CONTROLLER_PORT:-39193}" KAFKA_DATA_DIR="$work/kafka-ref")
ref_redis_port="${CLUSTER_REF_REDIS_PORT:-16393}"
cluster_kafka="env KAFKA_NODES=3 KAFKA_PORT=${CLUSTER_KAFKA_PORT:-39292} KAFKA_CONTROLLER_PORT=${CLUSTER_KAFKA_CONTROLLER_PORT:-39300} KAFKA_DATA_DIR=$work/kafka-cluster bash $ROOT/deploy/local/kafka.sh"
cluster_redis="env REDIS_CLUSTER_PORT=${CLUSTER_REDIS_PORT:-17001} REDIS_CLUSTER_DIR=$work/redis-cluster bash $ROOT/deploy/local/redis-cluster.sh"
cleanup() {
  redis-cli -p "$ref_redis_port" shutdown nosave >/dev/null 2>&1 || true
  "${ref_kafka[@]}" bash deploy/local/kafka.sh stop >/dev/null 2>&1 || true
  $cluster_kafka stop >/dev/null 2>&1 || true
  $cluster_redis stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
echo "== cluster suite: reference stack and cluster (own ports, fresh data dirs)"
"${ref_kafka[@]}" KAFKA_FRESH=1 bash deploy/local/kafka.sh start >&2
redis-server --port "$ref_redis_port" --bind 127.0.0.1 --dir "$work" --save '' --appendonly no --daemonize yes --pidfile "$work/redis-ref.pid" --logfile "$work/redis-ref.log"
KAFKA_FRESH=1 $cluster_kafka start >&2
$cluster_redis start
bash deploy/build/build.sh
export CLUSTER_REF_KAFKA_BROKERS="$("${ref_kafka[@]}" bash deploy/local/kafka.sh bootstrap)"
export CLUSTER_REF_REDIS_URL="redis://127.0.0.1:$ref_redis_port/0"
export CLUSTER_KAFKA_BROKERS="$($cluster_kafka bootstrap)"
export CLUSTER_REDIS_URLS="$($cluster_redis urls)"
export CLUSTER_KAFKA_SH="$cluster_kafka" CLUSTER_REDIS_SH="$cluster_redis"
SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register test/cluster/cluster.ts
