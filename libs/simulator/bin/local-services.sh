# Sourced by the simulator's run scripts: starts the four services from the TypeScript sources of a
# tree on ports base_port..base_port+3 with their own topic and Redis key prefix (so a shared broker
# and Redis are safe), and stops exactly what it started (by pid).
# Needs: root (the tree), brokers, redis, tenant, key, base_port.
pids=()
stop_services() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done; pids=(); }

start_services() { # $1 topic and Redis key prefix, $2 log directory[, $3 tree to run, default $root]
  local i=0 port service n tree="${3:-$root}"
  for service in ingestion velocity review-analysis alerting; do
    port=$((base_port + i)); i=$((i + 1))
    PORT=$port KAFKA_BROKERS="$brokers" REDIS_URL="$redis" VIGIL_TOPIC_PREFIX="$1" REDIS_KEY_PREFIX="$1" \
      INGESTION_API_KEYS="$tenant:$key" ALERTING_DASHBOARD_TOKEN="sim-token" LOG_LEVEL=warn \
      SWC_NODE_PROJECT="$tree/tsconfig.base.json" \
      node --max-old-space-size=400 -r "$root/node_modules/@swc-node/register" "$tree/services/$service/src/main.ts" >"$2/$service.log" 2>&1 &
    pids+=($!)
  done
  i=0
  for service in ingestion velocity review-analysis alerting; do
    port=$((base_port + i)); i=$((i + 1))
    for n in $(seq 1 240); do
      curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
      [ "$n" = 240 ] && { echo "$service not healthy; log:" >&2; tail -30 "$2/$service.log" >&2; exit 1; }
      sleep 0.5
    done
  done
  echo "services healthy on :$base_port-$((base_port + 3)) (prefix $1)" >&2
}
