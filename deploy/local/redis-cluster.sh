#!/usr/bin/env bash
# Local six-node Redis Cluster (three primaries, three replicas) on loopback ports, for the
# cluster tests (`npm run test:cluster`) and for trying Vigil against a cluster. No Docker.
#
#   deploy/local/redis-cluster.sh start         start the six nodes, form the cluster, wait until ok
#   deploy/local/redis-cluster.sh stop          stop the nodes this script started (never any other)
#   deploy/local/redis-cluster.sh status        each node's role, and cluster_state
#   deploy/local/redis-cluster.sh urls          the node URLs for REDIS_URL (with REDIS_CLUSTER=true)
#   deploy/local/redis-cluster.sh primary-of K  the port of the primary holding key K now
#   deploy/local/redis-cluster.sh kill PORT     SIGKILL one node (a fault for tests)
#   deploy/local/redis-cluster.sh fail-primary PORT
#                                               SIGKILL a primary and wait until its replica has
#                                               taken over and the cluster is ok; prints the new
#                                               primary's port and the seconds it took
#   deploy/local/redis-cluster.sh restart PORT  start a killed node again (it rejoins, as a replica
#                                               when its replica was promoted meanwhile)
#   deploy/local/redis-cluster.sh wait-ok       wait until every running node reports cluster_state:ok
#
# Environment (defaults in brackets):
#   REDIS_CLUSTER_PORT [7001] (nodes on PORT..PORT+5)   REDIS_CLUSTER_NODE_TIMEOUT [2000] ms
#   REDIS_CLUSTER_DIR [${VIGIL_STATE_DIR:-$HOME/.local/state/vigil}/redis-cluster-<port>]
#   REDIS_CLUSTER_TIMEOUT [30] seconds for start / wait-ok
# The nodes keep an append-only file (fsync every second) in their directory; `start` wipes it
# (a fresh cluster each time), `restart` keeps it.
set -euo pipefail

BASE_PORT="${REDIS_CLUSTER_PORT:-7001}"
NODE_TIMEOUT="${REDIS_CLUSTER_NODE_TIMEOUT:-2000}"
TIMEOUT="${REDIS_CLUSTER_TIMEOUT:-30}"
STATE_ROOT="${VIGIL_STATE_DIR:-$HOME/.local/state/vigil}"
DIR="${REDIS_CLUSTER_DIR:-$STATE_ROOT/redis-cluster-$BASE_PORT}"

log() { printf 'redis-cluster.sh: %s\n' "$*" >&2; }
die() { printf 'redis-cluster.sh: error: %s\n' "$*" >&2; exit 1; }
[[ "$BASE_PORT" =~ ^[0-9]+$ ]] || die "REDIS_CLUSTER_PORT must be a number (got '$BASE_PORT')"
command -v redis-server >/dev/null && command -v redis-cli >/dev/null || die "redis-server and redis-cli are required (apt-get install redis-server)"

ports() { local i; for i in 0 1 2 3 4 5; do echo $((BASE_PORT + i)); done; }
node_dir() { echo "$DIR/$1"; }
pid_of() { # pid of our node on port $1 if it runs, else nothing
  local f; f="$(node_dir "$1")/redis.pid"
  [[ -f "$f" ]] || return 0
  local pid; pid="$(cat "$f")"
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && grep -q redis "/proc/$pid/cmdline" 2>/dev/null; then echo "$pid"; fi
}
cli() { local port="$1"; shift; redis-cli -h 127.0.0.1 -p "$port" "$@"; }

launch() { # port
  local port="$1" dir; dir="$(node_dir "$port")"
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
    --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout "$NODE_TIMEOUT" \
    --appendonly yes --appendfsync everysec --save '' >/dev/null
  local i; for ((i = 0; i < 100; i++)); do cli "$port" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  die "node $port did not answer (see $dir/redis.log)"
}

wait_ok() {
  local deadline=$((SECONDS + TIMEOUT)) port ok
  while ((SECONDS < deadline)); do
    ok=1
    for port in $(ports); do
      [[ -n "$(pid_of "$port")" ]] || continue
      cli "$port" cluster info 2>/dev/null | grep -q 'cluster_state:ok' || ok=0
    done
    [[ "$ok" == 1 ]] && return 0
    sleep 0.2
  done
  die "cluster not ok after ${TIMEOUT}s: $(cmd_status 2>&1 | tr '\n' ' ')"
}

cmd_start() {
  local port running=0
  for port in $(ports); do [[ -n "$(pid_of "$port")" ]] && running=$((running + 1)); done
  if [[ "$running" == 6 ]]; then log "already running"; wait_ok; return 0; fi
  for port in $(ports); do
    [[ -z "$(pid_of "$port")" ]] || continue
    if cli "$port" ping >/dev/null 2>&1; then die "port $port answers but is not a node of $DIR: pick another REDIS_CLUSTER_PORT"; fi
    rm -rf "$(node_dir "$port")"
    launch "$port"
  done
  local nodes=(); for port in $(ports); do nodes+=("127.0.0.1:$port"); done
  redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes >"$DIR/create.log" 2>&1 || die "cluster create failed: $(tail -5 "$DIR/create.log")"
  wait_ok
  # A replica reports ok before it has synced; the tests kill primaries, so wait for the links.
  local deadline=$((SECONDS + TIMEOUT))
  while ((SECONDS < deadline)); do
    [[ "$(for p in $(ports); do cli "$p" info replication; done | grep -c 'master_link_status:up')" == 3 ]] && break
    sleep 0.2
  done
  log "ready: $(cmd_urls)"
}

cmd_stop() {
  local port pid stopped=0
  for port in $(ports); do
    pid="$(pid_of "$port")"
    [[ -n "$pid" ]] || continue
    cli "$port" shutdown nosave >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    stopped=$((stopped + 1))
  done
  local i; for ((i = 0; i < 50; i++)); do
    local alive=0; for port in $(ports); do [[ -n "$(pid_of "$port")" ]] && alive=1; done
    [[ "$alive" == 0 ]] && break; sleep 0.1
  done
  log "stopped $stopped node(s)"
}

cmd_status() {
  local port role
  for port in $(ports); do
    if [[ -n "$(pid_of "$port")" ]]; then
      role="$(cli "$port" info replication 2>/dev/null | tr -d '\r' | sed -n 's/^role://p')"
      echo "127.0.0.1:$port $role $(cli "$port" cluster info 2>/dev/null | tr -d '\r' | grep cluster_state)"
    else
      echo "127.0.0.1:$port down"
    fi
  done
}

cmd_urls() { local out="" port; for port in $(ports); do out+="${out:+,}redis://127.0.0.1:$port"; done; echo "$out"; }

cmd_primary_of() {
  local key="$1" port slot line
  for port in $(ports); do
    [[ -n "$(pid_of "$port")" ]] || continue
    slot="$(cli "$port" cluster keyslot "$key" 2>/dev/null)" || continue
    # CLUSTER SHARDS would be neater; CLUSTER NODES works on every 7.x.
    line="$(cli "$port" cluster nodes | awk -v s="$slot" '$3 ~ /master/ && $8 == "connected" { for (i = 9; i <= NF; i++) { split($i, r, "-"); if (s >= r[1] && s <= (r[2] == "" ? r[1] : r[2])) print $2 } }' | head -1)"
    [[ -n "$line" ]] && { echo "${line%%@*}" | sed 's/.*://'; return 0; }
  done
  die "no primary found for $key"
}

cmd_fail_primary() {
  local port="$1" id replica started=$SECONDS
  id="$(cli "$port" cluster myid | tr -d '\r')"
  replica="$(cli "$port" cluster nodes | awk -v m="$id" '$4 == m { print $2 }' | head -1)"
  replica="${replica%%@*}"; replica="${replica##*:}"
  [[ -n "$replica" ]] || die "node $port has no replica"
  kill -9 "$(pid_of "$port")"
  local deadline=$((SECONDS + TIMEOUT))
  until cli "$replica" info replication 2>/dev/null | grep -q '^role:master'; do
    ((SECONDS < deadline)) || die "replica $replica not promoted after ${TIMEOUT}s"
    sleep 0.1
  done
  wait_ok
  echo "$replica $((SECONDS - started))"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  urls) cmd_urls ;;
  wait-ok) wait_ok ;;
  primary-of) cmd_primary_of "${2:?key}" ;;
  kill) pid="$(pid_of "${2:?port}")"; [[ -n "$pid" ]] || die "node ${2} is not running"; kill -9 "$pid" ;;
  fail-primary) cmd_fail_primary "${2:?port}" ;;
  restart) [[ -z "$(pid_of "${2:?port}")" ]] || die "node ${2} is running"; launch "$2" ;;
  *) sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
