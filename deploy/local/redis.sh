#!/usr/bin/env bash
# Local Redis for development and tests.
#
#   deploy/local/redis.sh start    use a Redis that already answers on REDIS_HOST:REDIS_PORT, or
#                                  start one (installing redis-server with apt-get if missing)
#   deploy/local/redis.sh stop     stop the Redis this script started (never any other)
#   deploy/local/redis.sh status   running or not, managed or external, and the URL
#
# Environment (defaults in brackets):
#   REDIS_HOST [127.0.0.1]  REDIS_PORT [6379]
#   REDIS_STATE_DIR [${VIGIL_STATE_DIR:-$HOME/.local/state/vigil}/redis-<port>] (pid file, log)
#   REDIS_START_TIMEOUT [20]  REDIS_STOP_TIMEOUT [10]
# The Redis started here is throwaway: no RDB snapshots, no AOF (--save "" --appendonly no).
set -euo pipefail

REDIS_HOST="${REDIS_HOST:-127.0.0.1}"
REDIS_PORT="${REDIS_PORT:-6379}"
STATE_ROOT="${VIGIL_STATE_DIR:-$HOME/.local/state/vigil}"
REDIS_STATE_DIR="${REDIS_STATE_DIR:-$STATE_ROOT/redis-$REDIS_PORT}"
REDIS_START_TIMEOUT="${REDIS_START_TIMEOUT:-20}"
REDIS_STOP_TIMEOUT="${REDIS_STOP_TIMEOUT:-10}"
PID_FILE="$REDIS_STATE_DIR/redis.pid"
LOG_FILE="$REDIS_STATE_DIR/redis.log"
URL="redis://$REDIS_HOST:$REDIS_PORT"

log() { printf 'redis.sh: %s\n' "$*" >&2; }
die() { printf 'redis.sh: error: %s\n' "$*" >&2; exit 1; }

[[ "$REDIS_PORT" =~ ^[0-9]+$ ]] || die "REDIS_PORT must be a number (got '$REDIS_PORT')"

# Prints the first reply line to PING ("+PONG", "-NOAUTH ...", ...) or nothing if no answer.
# Uses bash's /dev/tcp so it works before redis-cli is installed.
ping_reply() {
  {
    # shellcheck disable=SC2016 # $0/$1 are expanded by the inner bash
    timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1" || exit 1
      printf "PING\r\n" >&3
      IFS= read -r -t 2 line <&3 || exit 1
      printf "%s\n" "$line"' "$REDIS_HOST" "$REDIS_PORT" 2>/dev/null || true
  } | tr -d '\r'
}

answers_ping() { # 0 if a Redis answers (PONG, or an auth error: it is a Redis all the same)
  local r
  r="$(ping_reply)"
  [[ "$r" == "+PONG" || "$r" == -NOAUTH* || "$r" == -WRONGPASS* ]]
}

port_open() {
  # shellcheck disable=SC2016
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$REDIS_HOST" "$REDIS_PORT" 2>/dev/null
}

managed_pid() { # pid of the redis-server this script started, if it still runs
  local pid comm
  [[ -f "$PID_FILE" ]] || return 0
  pid="$(tr -dc '0-9' <"$PID_FILE")"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    comm="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
    if [[ "$comm" == *redis-server* ]]; then echo "$pid"; return 0; fi
  fi
  rm -f "$PID_FILE" # stale
}

install_redis() {
  command -v apt-get >/dev/null 2>&1 || die "redis-server is not installed and apt-get is not available"
  local sudo=()
  if [[ "$(id -u)" != 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "redis-server is not installed; run as root or install it (apt-get install -y redis-server)"
    sudo=(sudo)
  fi
  log "redis-server not found; installing it with apt-get"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold redis-server >/dev/null
  command -v redis-server >/dev/null 2>&1 || die "redis-server still missing after apt-get install"
}

cmd_start() {
  local pid
  pid="$(managed_pid)"
  if [[ -n "$pid" ]] && answers_ping; then
    log "already running (started by this script, pid $pid) at $URL"
    echo "$URL"
    return 0
  fi
  if [[ -z "$pid" ]] && answers_ping; then
    log "using the Redis that already answers at $URL (not started by this script; stop will leave it alone)"
    echo "$URL"
    return 0
  fi
  if [[ -z "$pid" ]] && port_open; then
    die "port $REDIS_PORT on $REDIS_HOST is in use by something that does not answer PING like Redis; choose another REDIS_PORT"
  fi
  if [[ -z "$pid" ]]; then
    if ! command -v redis-server >/dev/null 2>&1; then
      install_redis
      # Debian's package may have started its own service on the default port.
      if answers_ping; then
        log "the redis-server package started a Redis at $URL; using it (not managed by this script)"
        echo "$URL"
        return 0
      fi
    fi
    mkdir -p "$REDIS_STATE_DIR"
    rm -f "$PID_FILE"
    [[ ! -f "$LOG_FILE" ]] || mv -f "$LOG_FILE" "$LOG_FILE.prev"
    redis-server --bind "$REDIS_HOST" --port "$REDIS_PORT" --daemonize yes \
      --pidfile "$PID_FILE" --logfile "$LOG_FILE" --dir "$REDIS_STATE_DIR" \
      --save "" --appendonly no >/dev/null ||
      die "redis-server failed to start (see $LOG_FILE)"
  fi
  local deadline=$((SECONDS + REDIS_START_TIMEOUT))
  until answers_ping; do
    if ((SECONDS >= deadline)); then
      tail -n 20 "$LOG_FILE" >&2 2>/dev/null || true
      pid="$(managed_pid)"
      [[ -z "$pid" ]] || kill "$pid" 2>/dev/null || true
      die "Redis did not answer PING at $URL within ${REDIS_START_TIMEOUT}s (log above: $LOG_FILE)"
    fi
    sleep 0.1
  done
  pid="$(managed_pid)"
  log "started redis-server (pid ${pid:-?}) at $URL, no persistence; state in $REDIS_STATE_DIR"
  echo "$URL"
}

cmd_stop() {
  local pid deadline
  pid="$(managed_pid)"
  if [[ -z "$pid" ]]; then
    if answers_ping; then log "the Redis at $URL was not started by this script; leaving it alone"
    else log "not running ($URL)"; fi
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + REDIS_STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      log "still running after ${REDIS_STOP_TIMEOUT}s, sending SIGKILL to $pid"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
      break
    fi
    sleep 0.1
  done
  ! kill -0 "$pid" 2>/dev/null || die "could not stop redis-server pid $pid"
  rm -f "$PID_FILE"
  log "stopped redis-server (pid $pid) at $URL"
}

cmd_status() {
  local pid
  pid="$(managed_pid)"
  if answers_ping; then
    if [[ -n "$pid" ]]; then echo "redis: running (started by this script, pid $pid)"
    else echo "redis: running (external, not managed by this script)"; fi
    echo "url: $URL"
    return 0
  fi
  if [[ -n "$pid" ]]; then echo "redis: not answering (pid $pid exists; see $LOG_FILE)"
  else echo "redis: not running"; fi
  echo "url: $URL"
  return 3
}

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 2 ;;
esac
