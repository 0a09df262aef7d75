#!/usr/bin/env bash
# Local Apache Kafka (KRaft) for development and tests, without Docker.
#
# The broker jars come from Maven Central (deploy/local/kafka/pom.xml) and are cached once per
# version; each broker is a plain `java ... kafka.Kafka server.properties` process in combined
# broker+controller mode. See deploy/local/README.md for the full description.
#
#   deploy/local/kafka.sh fetch       resolve + cache the broker jars (no-op when cached)
#   deploy/local/kafka.sh start       format (if needed) and start, wait until ready
#   deploy/local/kafka.sh stop        stop the broker(s) started from this data dir
#   deploy/local/kafka.sh status      running or not, and the bootstrap servers
#   deploy/local/kafka.sh bootstrap   print only the bootstrap servers string
#   deploy/local/kafka.sh sasl-bootstrap
#                                     the SASL_PLAINTEXT listener's servers (KAFKA_SASL_PORT set)
#   deploy/local/kafka.sh stop-node N [--kill]
#                                     stop one node of a 3-node cluster (SIGTERM, or SIGKILL: a
#                                     crash); `start` brings back only the nodes that are down
#
# Environment (defaults in brackets):
#   KAFKA_VERSION [4.1.1]  KAFKA_PORT [9092]  KAFKA_CONTROLLER_PORT [9093]  KAFKA_NODES [1|3]
#   KAFKA_HOST [127.0.0.1]  KAFKA_HEAP ["-Xms256m -Xmx768m"]  KAFKA_JVM_OPTS []
#   KAFKA_DATA_DIR [${VIGIL_STATE_DIR:-$HOME/.local/state/vigil}/kafka-<port>]
#   VIGIL_CACHE_DIR [$HOME/.cache/vigil]  KAFKA_FRESH [0] (or `start --fresh`)
#   KAFKA_START_TIMEOUT [90]  KAFKA_STOP_TIMEOUT [30]  KAFKA_EXTRA_CONFIG [] (properties file)
#   KAFKA_MVN_ARGS [] (extra Maven args for fetch, e.g. -Dmaven.repo.local=/tmp/m2)
#   KAFKA_CDS [1] (0 disables the cached JVM class-data archive that speeds up starts)
#   KAFKA_SASL_PORT [] adds a SASL_PLAINTEXT listener (node i on KAFKA_SASL_PORT+i-1) offering
#     SCRAM-SHA-512, SCRAM-SHA-256 and PLAIN for one user, KAFKA_SASL_USERNAME [vigil] with
#     KAFKA_SASL_PASSWORD [vigil-local-secret]; the SCRAM credentials are written when the
#     storage is formatted, so set it on a first start (or with KAFKA_FRESH=1). For local tests:
#     the listener is not encrypted, so PLAIN sends the password in clear.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POM="$SCRIPT_DIR/kafka/pom.xml"

KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
KAFKA_HOST="${KAFKA_HOST:-127.0.0.1}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_NODES="${KAFKA_NODES:-1}"
KAFKA_HEAP="${KAFKA_HEAP:--Xms256m -Xmx768m}"
KAFKA_JVM_OPTS="${KAFKA_JVM_OPTS:-}"
KAFKA_FRESH="${KAFKA_FRESH:-0}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
KAFKA_EXTRA_CONFIG="${KAFKA_EXTRA_CONFIG:-}"
KAFKA_CDS="${KAFKA_CDS:-1}"
KAFKA_MVN_ARGS="${KAFKA_MVN_ARGS:-}"
KAFKA_SASL_PORT="${KAFKA_SASL_PORT:-}"
KAFKA_SASL_USERNAME="${KAFKA_SASL_USERNAME:-vigil}"
KAFKA_SASL_PASSWORD="${KAFKA_SASL_PASSWORD:-vigil-local-secret}"
CACHE_ROOT="${VIGIL_CACHE_DIR:-$HOME/.cache/vigil}"
STATE_ROOT="${VIGIL_STATE_DIR:-$HOME/.local/state/vigil}"
KAFKA_DATA_DIR="${KAFKA_DATA_DIR:-$STATE_ROOT/kafka-$KAFKA_PORT}"

KAFKA_DIST="$CACHE_ROOT/kafka-$KAFKA_VERSION"
KAFKA_LIB="$KAFKA_DIST/lib"
FETCH_MARKER="$KAFKA_DIST/.complete"
READY_PATTERN='Kafka Server started'
CDS_SUSPECT=0 # set when a JVM died with the class-data archive and the start went on without it

log() { printf 'kafka.sh: %s\n' "$*" >&2; }
die() { printf 'kafka.sh: error: %s\n' "$*" >&2; exit 1; }

is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }
is_kafka3() { [[ "$KAFKA_VERSION" == 3.* ]]; }

# ---------------------------------------------------------------------------------------------
# Port scheme
#   KAFKA_NODES=1: node 1, client port KAFKA_PORT, controller port KAFKA_CONTROLLER_PORT.
#   KAFKA_NODES=3: node i (1..3), client port KAFKA_PORT+i-1,
#                  controller port KAFKA_CONTROLLER_PORT+10+i-1.
#   With the defaults: clients 9092/9093/9094, controllers 9103/9104/9105 (the +10 keeps the
#   controller ports clear of the client range even though 9093 is the single-node controller).
# ---------------------------------------------------------------------------------------------
client_port() { echo $((KAFKA_PORT + $1 - 1)); }
controller_port() {
  if [[ "$KAFKA_NODES" == 1 ]]; then echo "$KAFKA_CONTROLLER_PORT"
  else echo $((KAFKA_CONTROLLER_PORT + 10 + $1 - 1)); fi
}
node_dir() { echo "$KAFKA_DATA_DIR/node-$1"; }
pid_file() { echo "$(node_dir "$1")/kafka.pid"; }
server_log() { echo "$(node_dir "$1")/logs/server.log"; }
stdout_log() { echo "$(node_dir "$1")/logs/stdout.log"; }

bootstrap_servers() {
  local i out=""
  for ((i = 1; i <= KAFKA_NODES; i++)); do out+="${out:+,}$KAFKA_HOST:$(client_port "$i")"; done
  echo "$out"
}

sasl_port() { echo $((KAFKA_SASL_PORT + $1 - 1)); }

sasl_bootstrap_servers() {
  [[ -n "$KAFKA_SASL_PORT" ]] || die "no SASL listener (KAFKA_SASL_PORT was not set at start)"
  local i out=""
  for ((i = 1; i <= KAFKA_NODES; i++)); do out+="${out:+,}$KAFKA_HOST:$(sasl_port "$i")"; done
  echo "$out"
}

quorum_voters() {
  local i out=""
  for ((i = 1; i <= KAFKA_NODES; i++)); do
    out+="${out:+,}$i@$KAFKA_HOST:$(controller_port "$i")"
  done
  echo "$out"
}

validate_config() {
  [[ "$KAFKA_NODES" == 1 || "$KAFKA_NODES" == 3 ]] || die "KAFKA_NODES must be 1 or 3 (got '$KAFKA_NODES')"
  is_uint "$KAFKA_PORT" || die "KAFKA_PORT must be a number (got '$KAFKA_PORT')"
  is_uint "$KAFKA_CONTROLLER_PORT" || die "KAFKA_CONTROLLER_PORT must be a number (got '$KAFKA_CONTROLLER_PORT')"
  is_uint "$KAFKA_START_TIMEOUT" || die "KAFKA_START_TIMEOUT must be a number of seconds"
  is_uint "$KAFKA_STOP_TIMEOUT" || die "KAFKA_STOP_TIMEOUT must be a number of seconds"
  if [[ -n "$KAFKA_SASL_PORT" ]]; then
    is_uint "$KAFKA_SASL_PORT" || die "KAFKA_SASL_PORT must be a number (got '$KAFKA_SASL_PORT')"
    [[ "$KAFKA_SASL_USERNAME" =~ ^[A-Za-z0-9_.-]+$ ]] || die "KAFKA_SASL_USERNAME may contain only letters, digits, '.', '_' and '-'"
    [[ "$KAFKA_SASL_PASSWORD" =~ ^[A-Za-z0-9_.-]+$ ]] || die "KAFKA_SASL_PASSWORD may contain only letters, digits, '.', '_' and '-' (it is written into JAAS and SCRAM arguments)"
  fi
  local i p seen=" "
  for ((i = 1; i <= KAFKA_NODES; i++)); do
    for p in "$(client_port "$i")" "$(controller_port "$i")" ${KAFKA_SASL_PORT:+"$(sasl_port "$i")"}; do
      ((p > 0 && p < 65536)) || die "port $p out of range"
      [[ "$seen" != *" $p "* ]] || die "port $p is used twice (KAFKA_PORT=$KAFKA_PORT, KAFKA_CONTROLLER_PORT=$KAFKA_CONTROLLER_PORT, KAFKA_NODES=$KAFKA_NODES); pick ports further apart"
      seen+="$p "
    done
  done
}

# Values recorded by `start` in the data dir win for stop/status, so that `stop` finds every node
# of a 3-node cluster even when KAFKA_NODES is not set again.
load_cluster_env() {
  local f="$KAFKA_DATA_DIR/cluster.env" k v
  [[ -f "$f" ]] || return 0
  while IFS='=' read -r k v; do
    case "$k" in
      KAFKA_NODES | KAFKA_PORT | KAFKA_CONTROLLER_PORT | KAFKA_SASL_PORT) [[ -z "$v" ]] || is_uint "$v" && printf -v "$k" '%s' "$v" ;;
      KAFKA_HOST) [[ "$v" =~ ^[A-Za-z0-9.:-]+$ ]] && KAFKA_HOST="$v" ;;
    esac
  done <"$f"
}

# ---------------------------------------------------------------------------------------------
# Processes and ports
# ---------------------------------------------------------------------------------------------
port_open() { # host port -> 0 if something accepts TCP connections
  # shellcheck disable=SC2016 # $0/$1 are expanded by the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
}

port_owner() { # best effort description of the process listening on a port
  local p="$1" line pid
  command -v ss >/dev/null 2>&1 || return 0
  line="$(ss -ltnpH "sport = :$p" 2>/dev/null | head -n1 || true)"
  pid="$(sed -n 's/.*pid=\([0-9]*\).*/\1/p' <<<"$line" | head -n1)"
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 0
  printf 'pid %s: %s' "$pid" "$(tr '\0' ' ' <"/proc/$pid/cmdline" | cut -c1-300)"
}

# Is $1 a live kafka.Kafka process started from node dir $2?
is_our_broker() {
  local pid="$1" dir="$2" cmd
  [[ -n "$pid" ]] && is_uint "$pid" && kill -0 "$pid" 2>/dev/null || return 1
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmd" == *kafka.Kafka* && "$cmd" == *"$dir/server.properties"* ]]
}

node_pid() { # prints the pid of node $1 if it is running, else nothing (and drops stale pid files)
  local f pid
  f="$(pid_file "$1")"
  [[ -f "$f" ]] || return 0
  pid="$(tr -dc '0-9' <"$f")"
  if is_our_broker "$pid" "$(node_dir "$1")"; then echo "$pid"; else rm -f "$f"; fi
}

# Every kafka.Kafka process whose config lives in this data dir (also ones whose pid file is gone).
all_our_pids() {
  local pid cmd
  for pid in $(pgrep -f 'kafka\.Kafka' || true); do
    cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || continue
    [[ "$cmd" == *kafka.Kafka* && "$cmd" == *"$KAFKA_DATA_DIR/node-"*"/server.properties"* ]] && echo "$pid"
  done
  return 0
}

node_ready() { # node is running, logged that it started and its client port accepts TCP
  local i="$1"
  [[ -n "$(node_pid "$i")" ]] || return 1
  grep -q "$READY_PATTERN" "$(server_log "$i")" 2>/dev/null || return 1
  port_open "$KAFKA_HOST" "$(client_port "$i")"
}

lock_data_dir() {
  mkdir -p "$KAFKA_DATA_DIR"
  exec 9>"$KAFKA_DATA_DIR/.lock"
  flock -w 300 9 || die "another kafka.sh is busy with $KAFKA_DATA_DIR"
}

# ---------------------------------------------------------------------------------------------
# fetch
# ---------------------------------------------------------------------------------------------
fetch_fingerprint() { echo "kafka=$KAFKA_VERSION pom=$(sha256sum "$POM" | cut -c1-16)"; }

cmd_fetch() {
  [[ -f "$FETCH_MARKER" && "$(cat "$FETCH_MARKER")" == "$(fetch_fingerprint)" ]] && return 0
  command -v mvn >/dev/null 2>&1 || die "mvn not found (apt-get install -y maven)"
  mkdir -p "$CACHE_ROOT"
  exec 8>"$CACHE_ROOT/.kafka-$KAFKA_VERSION.lock"
  flock -w 600 8 || die "timed out waiting for another fetch of Kafka $KAFKA_VERSION"
  if [[ -f "$FETCH_MARKER" && "$(cat "$FETCH_MARKER")" == "$(fetch_fingerprint)" ]]; then
    exec 8>&-; return 0
  fi
  log "fetching Kafka $KAFKA_VERSION jars from Maven Central into $KAFKA_LIB"
  rm -rf "$KAFKA_DIST"
  mkdir -p "$KAFKA_DIST"
  local out="$KAFKA_DIST/fetch.log" t0=$SECONDS profile=()
  is_kafka3 && profile=(-Dkafka3)
  # shellcheck disable=SC2086 # KAFKA_MVN_ARGS is a list of words on purpose
  if ! mvn -B -q -Dstyle.color=never -f "$POM" "-Dkafka.version=$KAFKA_VERSION" "${profile[@]}" $KAFKA_MVN_ARGS \
    org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
    -DincludeScope=runtime "-DoutputDirectory=$KAFKA_LIB" >"$out" 2>&1; then
    tail -n 30 "$out" >&2
    die "could not resolve Kafka $KAFKA_VERSION (see $out)"
  fi
  compgen -G "$KAFKA_LIB/kafka_2.13-$KAFKA_VERSION.jar" >/dev/null || die "kafka_2.13-$KAFKA_VERSION.jar missing after fetch"
  fetch_fingerprint >"$FETCH_MARKER"
  log "fetched $(find "$KAFKA_LIB" -name '*.jar' | wc -l) jars in $((SECONDS - t0)) s"
  exec 8>&-
}

# ---------------------------------------------------------------------------------------------
# start
# ---------------------------------------------------------------------------------------------
java_bin() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then echo "$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then command -v java
  else die "java not found (Java 17+ needed: apt-get install -y openjdk-17-jre-headless)"; fi
}

java_common_args() { # node dir -> args shared by the storage tool and the broker
  local dir="$1"
  # A JVM crash report goes beside the node's logs, not into the caller's working directory.
  printf '%s\n' "-Dkafka.logs.dir=$dir/logs" -Djava.awt.headless=true "-XX:ErrorFile=$dir/logs/hs_err_pid%p.log"
  if is_kafka3; then
    printf '%s\n' "-Dlog4j.configuration=file:$SCRIPT_DIR/kafka/log4j.properties"
  else
    printf '%s\n' "-Dlog4j2.configurationFile=$SCRIPT_DIR/kafka/log4j2.properties"
  fi
  printf '%s\n' -cp "$KAFKA_LIB/*"
}

write_server_properties() {
  local i="$1" dir rf isr parts
  dir="$(node_dir "$i")"
  if [[ "$KAFKA_NODES" == 1 ]]; then rf=1 isr=1 parts=1; else rf=3 isr=2 parts=3; fi
  mkdir -p "$dir/data" "$dir/logs"
  {
    echo "# Generated by deploy/local/kafka.sh at every start; edits are overwritten."
    echo "# Use KAFKA_EXTRA_CONFIG=<file> to add or override properties."
    echo "process.roles=broker,controller"
    echo "node.id=$i"
    echo "controller.quorum.voters=$(quorum_voters)"
    local sasl_listener=""
    [[ -z "$KAFKA_SASL_PORT" ]] || sasl_listener=",SASL_PLAINTEXT://$KAFKA_HOST:$(sasl_port "$i")"
    echo "listeners=PLAINTEXT://$KAFKA_HOST:$(client_port "$i"),CONTROLLER://$KAFKA_HOST:$(controller_port "$i")$sasl_listener"
    echo "advertised.listeners=PLAINTEXT://$KAFKA_HOST:$(client_port "$i")$sasl_listener"
    echo "controller.listener.names=CONTROLLER"
    echo "inter.broker.listener.name=PLAINTEXT"
    echo "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT"
    if [[ -n "$KAFKA_SASL_PORT" ]]; then
      echo
      echo "# SASL_PLAINTEXT listener for client authentication tests (KAFKA_SASL_PORT)"
      echo "sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256,PLAIN"
      echo "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;"
      echo "listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;"
      echo "listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$KAFKA_SASL_USERNAME=\"$KAFKA_SASL_PASSWORD\";"
    fi
    echo "log.dirs=$dir/data"
    echo
    echo "# topics"
    echo "auto.create.topics.enable=false"
    echo "num.partitions=3"
    echo "default.replication.factor=$rf"
    echo "min.insync.replicas=$isr"
    echo "delete.topic.enable=true"
    echo
    echo "# internal topics: small, replicated over every node"
    echo "offsets.topic.replication.factor=$rf"
    echo "offsets.topic.num.partitions=$parts"
    echo "transaction.state.log.replication.factor=$rf"
    echo "transaction.state.log.min.isr=$isr"
    echo "transaction.state.log.num.partitions=$parts"
    if ! is_kafka3; then
      echo "share.coordinator.state.topic.replication.factor=$rf"
      echo "share.coordinator.state.topic.min.isr=$isr"
      echo "share.coordinator.state.topic.num.partitions=$parts"
    fi
    echo
    echo "# quick start and small footprint (2-core dev machines / CI)"
    echo "group.initial.rebalance.delay.ms=0"
    echo "broker.heartbeat.interval.ms=500"
    echo "num.network.threads=2"
    echo "num.io.threads=4"
    echo "background.threads=4"
    echo "num.recovery.threads.per.data.dir=1"
    echo "num.replica.fetchers=1"
    echo "log.cleaner.threads=1"
    if [[ -n "$KAFKA_EXTRA_CONFIG" ]]; then
      echo
      echo "# from KAFKA_EXTRA_CONFIG=$KAFKA_EXTRA_CONFIG"
      cat "$KAFKA_EXTRA_CONFIG"
    fi
  } >"$dir/server.properties"
}

wipe_data_dir() { # keeps the lock file we hold
  local d
  for d in "$KAFKA_DATA_DIR"/node-*; do
    if [[ -d "$d" ]]; then cds_finish "${d##*/node-}" 0; fi
  done
  find "$KAFKA_DATA_DIR" -mindepth 1 -maxdepth 1 ! -name .lock -exec rm -rf {} +
}

# A Kafka cluster id is a random 128-bit UUID in URL-safe base64 without padding (22 chars), like
# `kafka-storage.sh random-uuid` prints; made here to save a JVM start. Kafka never hands out ids
# starting with '-' (they look like options), so neither do we.
random_cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" == -* || ${#id} -ne 22 ]] || break
  done
  echo "$id"
}

format_if_needed() {
  local java="$1" i dir cid args pids=() failed=0 cds=0
  [[ -s "$KAFKA_DATA_DIR/cluster.id" ]] || random_cluster_id >"$KAFKA_DATA_DIR/cluster.id"
  cid="$(tr -dc 'A-Za-z0-9_-' <"$KAFKA_DATA_DIR/cluster.id")"
  [[ ${#cid} -eq 22 ]] || die "bad cluster id in $KAFKA_DATA_DIR/cluster.id"
  # Format the nodes in parallel (each is a JVM start of ~1.5 s).
  for ((i = 1; i <= KAFKA_NODES; i++)); do
    dir="$(node_dir "$i")"
    [[ -f "$dir/data/meta.properties" ]] && continue
    mapfile -t args < <(java_common_args "$dir")
    if [[ "$KAFKA_CDS" == 1 && -s "$(cds_archive "$java")" ]]; then
      args=(-XX:SharedArchiveFile="$(cds_archive "$java")" -Xshare:auto "-Xlog:cds*=error" "${args[@]}")
      cds=1
    fi
    local scram=()
    if [[ -n "$KAFKA_SASL_PORT" ]]; then # SCRAM credentials live in the KRaft metadata, written at format
      scram=(--add-scram "SCRAM-SHA-512=[name=$KAFKA_SASL_USERNAME,password=$KAFKA_SASL_PASSWORD]"
        --add-scram "SCRAM-SHA-256=[name=$KAFKA_SASL_USERNAME,password=$KAFKA_SASL_PASSWORD]")
    fi
    "$java" "${args[@]}" kafka.tools.StorageTool format -t "$cid" -c "$dir/server.properties" "${scram[@]}" \
      >"$dir/logs/format.log" 2>&1 9>&- 8>&- &
    pids+=("$!:$dir")
  done
  for i in "${pids[@]}"; do
    if ! wait "${i%%:*}"; then
      cat "${i#*:}/logs/format.log" >&2
      failed=1
    fi
  done
  if ((failed && cds)); then # the archive is only an optimisation: never fail because of it
    log "the format step failed with the class-data archive; retrying once without the class-data archive (KAFKA_CDS=0)"
    KAFKA_CDS=0 CDS_SUSPECT=1
    format_if_needed "$java"
    return
  fi
  ((failed == 0)) || die "formatting the KRaft storage in $KAFKA_DATA_DIR failed (output above)"
}

# ---------------------------------------------------------------------------------------------
# AppCDS (KAFKA_CDS=1, default): loading ~5k classes is most of a broker's start time. The first
# broker started with a given Kafka version + JDK dumps a dynamic class-data archive when it stops
# (-XX:ArchiveClassesAtExit); later starts map it (-XX:SharedArchiveFile), which saves ~2 s per
# node (measured 5.5 s -> 3.7 s for a fresh single node). A truncated archive crashes the JVM
# (SIGBUS while mapping it), so:
#  - a broker dumps into a file of its own (<archive>.<script pid>.<node>.tmp), and the archive is
#    only kept when that broker stopped without SIGKILL and a test JVM loads it; it is then
#    renamed into place (atomic: a concurrent start maps the old file or the new one, never half
#    of one; the archive is never written in place, which would crash JVMs that map it);
#  - archives are per Kafka version (KAFKA_DIST) and per JDK build (the file name);
#  - if the format step or a node dies at start while CDS is on, the start is retried once with
#    KAFKA_CDS=0 (the failed node's logs kept as *.prev), and the archive is removed when that
#    retry succeeds. A start never fails because of the archive.
# ---------------------------------------------------------------------------------------------
cds_archive() { # java -> path of the archive for this Kafka version + JDK build
  local real modules
  real="$(readlink -f "$1")"
  modules="$(dirname "$real")/../lib/modules"
  echo "$KAFKA_DIST/cds/$(printf '%s %s' "$real" "$(stat -c '%s-%Y' "$modules" 2>/dev/null)" | sha256sum | cut -c1-12).jsa"
}

# Node $1 stopped: keep its dumped archive if $2 == 1 (clean stop) and the archive loads.
cds_finish() {
  local dir tmp final java lib
  dir="$(node_dir "$1")"
  [[ -f "$dir/cds.pending" ]] || return 0
  { read -r tmp; read -r final; read -r java; read -r lib; } <"$dir/cds.pending" || true
  rm -f "$dir/cds.pending"
  [[ -n "$tmp" && "$tmp" == *.tmp ]] || return 0
  if [[ "$2" == 1 && -s "$tmp" ]] &&
    "$java" "-XX:SharedArchiveFile=$tmp" -Xshare:auto "-XX:ErrorFile=$dir/logs/hs_err_pid%p.log" -cp "$lib/*" kafka.tools.StorageTool version >/dev/null 2>&1; then
    mv -f "$tmp" "$final" && log "saved class-data archive $final (faster JVM starts from now on)"
  fi
  rm -f "$tmp"
}

launch_node() {
  local java="$1" i="$2" dir args heap f cds=() arch tmp
  dir="$(node_dir "$i")"
  for f in server.log stdout.log; do
    if [[ -f "$dir/logs/$f" ]]; then mv -f "$dir/logs/$f" "$dir/logs/$f.prev"; fi
  done
  cds_finish "$i" 0 # leftover from a broker that died on its own: not trusted
  if [[ "$KAFKA_CDS" == 1 ]]; then
    arch="$(cds_archive "$java")"
    if [[ -s "$arch" ]]; then
      cds=(-XX:SharedArchiveFile="$arch" -Xshare:auto "-Xlog:cds*=error")
    elif [[ "$i" == "${3:-1}" ]]; then # one dumper per start
      mkdir -p "$(dirname "$arch")"
      tmp="$arch.$$.$i.tmp"
      printf '%s\n' "$tmp" "$arch" "$java" "$KAFKA_LIB" >"$dir/cds.pending"
      cds=(-XX:ArchiveClassesAtExit="$tmp" "-Xlog:cds*=error")
    fi
  fi
  mapfile -t args < <(java_common_args "$dir")
  heap="$KAFKA_HEAP"
  [[ "$heap" == -* ]] || heap="-Xmx$heap" # KAFKA_HEAP=1g is short for -Xmx1g
  # shellcheck disable=SC2086 # heap and extra JVM options are lists of words on purpose
  setsid "$java" $heap -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError "${cds[@]}" $KAFKA_JVM_OPTS \
    "${args[@]}" kafka.Kafka "$dir/server.properties" \
    </dev/null >"$dir/logs/stdout.log" 2>&1 9>&- 8>&- &
  local pid=$! n cmd
  # Until the forked shell has exec'd setsid/java, /proc/<pid>/cmdline is this script's, so
  # node_pid took a broker about to start for one that had exited (and dropped its pid file): on
  # a loaded machine a first start failed with "node 1 exited during startup" and no broker log.
  # Wait for the exec (an empty cmdline: the process is gone or a zombie).
  for ((n = 0; n < 200; n++)); do
    cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
    [[ -z "$cmd" || "$cmd" == *kafka.Kafka* ]] && break
    sleep 0.05
  done
  echo "$pid" >"$(pid_file "$i")"
}

show_failure() {
  local i="$1"
  echo "---- node $i: tail of $(server_log "$i") ----" >&2
  tail -n 40 "$(server_log "$i")" 2>/dev/null >&2 || echo "(no log)" >&2
  if [[ -s "$(stdout_log "$i")" ]]; then
    echo "---- node $i: tail of $(stdout_log "$i") ----" >&2
    tail -n 20 "$(stdout_log "$i")" >&2
  fi
}

cmd_start() {
  [[ "${1:-}" == "--fresh" ]] && KAFKA_FRESH=1
  validate_config
  [[ -z "$KAFKA_EXTRA_CONFIG" || -r "$KAFKA_EXTRA_CONFIG" ]] || die "KAFKA_EXTRA_CONFIG=$KAFKA_EXTRA_CONFIG is not readable"
  lock_data_dir
  local t0=$SECONDS i p java recorded

  if [[ "$KAFKA_FRESH" == 1 ]]; then
    if [[ -n "$(all_our_pids)" ]]; then
      log "KAFKA_FRESH=1: stopping the broker(s) running from $KAFKA_DATA_DIR first"
      stop_all || true
    fi
    wipe_data_dir
  elif [[ -f "$KAFKA_DATA_DIR/cluster.env" ]]; then
    recorded="$(cat "$KAFKA_DATA_DIR/cluster.env")"
    [[ "$recorded" == *"KAFKA_NODES=$KAFKA_NODES"* ]] ||
      die "$KAFKA_DATA_DIR was created with a different KAFKA_NODES ($(grep KAFKA_NODES "$KAFKA_DATA_DIR/cluster.env")); use KAFKA_FRESH=1 or another KAFKA_DATA_DIR"
    [[ "$recorded" == *"KAFKA_VERSION=$KAFKA_VERSION"* ]] ||
      die "$KAFKA_DATA_DIR was created by another Kafka version ($(grep KAFKA_VERSION "$KAFKA_DATA_DIR/cluster.env")); use KAFKA_FRESH=1 or another KAFKA_DATA_DIR"
  fi

  # Already running from this data dir?
  local running=0 to_start=()
  for ((i = 1; i <= KAFKA_NODES; i++)); do
    if [[ -n "$(node_pid "$i")" ]]; then
      running=$((running + 1))
    else
      for p in "$(client_port "$i")" "$(controller_port "$i")"; do
        if port_open "$KAFKA_HOST" "$p"; then
          die "port $p ($KAFKA_HOST) is already in use by another process, not by a broker started from $KAFKA_DATA_DIR. $(port_owner "$p")
  Choose other ports (KAFKA_PORT / KAFKA_CONTROLLER_PORT) or stop that process."
        fi
      done
      to_start+=("$i")
    fi
  done
  if ((${#to_start[@]} == 0)); then
    local ok=1
    for ((i = 1; i <= KAFKA_NODES; i++)); do node_ready "$i" || ok=0; done
    if ((ok)); then
      log "already running from $KAFKA_DATA_DIR (Kafka $KAFKA_VERSION, $KAFKA_NODES node(s)); bootstrap servers: $(bootstrap_servers)"
      bootstrap_servers
      return 0
    fi
    log "broker process(es) from $KAFKA_DATA_DIR exist but are not ready yet; waiting"
  fi

  cmd_fetch
  java="$(java_bin)"
  for ((i = 1; i <= KAFKA_NODES; i++)); do write_server_properties "$i"; done
  format_if_needed "$java"
  {
    echo "KAFKA_VERSION=$KAFKA_VERSION"
    echo "KAFKA_NODES=$KAFKA_NODES"
    echo "KAFKA_HOST=$KAFKA_HOST"
    echo "KAFKA_PORT=$KAFKA_PORT"
    echo "KAFKA_CONTROLLER_PORT=$KAFKA_CONTROLLER_PORT"
    echo "KAFKA_SASL_PORT=$KAFKA_SASL_PORT"
  } >"$KAFKA_DATA_DIR/cluster.env"

  for i in "${to_start[@]}"; do launch_node "$java" "$i" "${to_start[0]}"; done
  ((${#to_start[@]} == 0)) || log "starting Kafka $KAFKA_VERSION node(s) ${to_start[*]} from $KAFKA_DATA_DIR"

  # Wait until every node is ready, fail fast if one dies.
  local deadline=$((SECONDS + KAFKA_START_TIMEOUT)) pending
  while :; do
    pending=0
    for ((i = 1; i <= KAFKA_NODES; i++)); do
      if [[ -z "$(node_pid "$i")" ]]; then
        show_failure "$i"
        log "node $i exited during startup; stopping the others"
        stop_all || true
        # The class-data archive is only an optimisation: retry once without it, so a start never
        # fails because of it. The failed attempt's logs stay as server.log.prev / stdout.log.prev.
        if [[ "$KAFKA_CDS" == 1 ]]; then
          log "retrying once without the class-data archive (KAFKA_CDS=0); the failed attempt's logs are kept as $(node_dir "$i")/logs/*.prev"
          KAFKA_CDS=0 CDS_SUSPECT=1
          for p in "${to_start[@]}"; do launch_node "$java" "$p" "${to_start[0]}"; done
          deadline=$((SECONDS + KAFKA_START_TIMEOUT))
          continue 2
        fi
        die "Kafka failed to start (node $i died; logs above, data dir $KAFKA_DATA_DIR)"
      fi
      node_ready "$i" || pending=1
    done
    ((pending)) || break
    if ((SECONDS >= deadline)); then
      for ((i = 1; i <= KAFKA_NODES; i++)); do node_ready "$i" || show_failure "$i"; done
      log "timed out after ${KAFKA_START_TIMEOUT}s; stopping what was started"
      stop_all || true
      die "Kafka was not ready within ${KAFKA_START_TIMEOUT}s (KAFKA_START_TIMEOUT); logs above, data dir $KAFKA_DATA_DIR"
    fi
    sleep 0.2
  done
  if ((CDS_SUSPECT)) && [[ -f "$(cds_archive "$java")" ]]; then
    rm -f "$(cds_archive "$java")" # unlinked: JVMs that map it keep their copy
    log "started without the class-data archive after a failed start with it: removed $(cds_archive "$java") (the next start makes a new one)"
  fi
  log "ready in $((SECONDS - t0)) s: Kafka $KAFKA_VERSION, $KAFKA_NODES node(s), bootstrap servers $(bootstrap_servers)"
  bootstrap_servers
}

# ---------------------------------------------------------------------------------------------
# stop / status
# ---------------------------------------------------------------------------------------------
stop_all() { # SIGTERM every broker of this data dir at once, SIGKILL what is left after the timeout
  local pids deadline clean=1 d
  mapfile -t pids < <(all_our_pids)
  if ((${#pids[@]} == 0)); then
    rm -f "$KAFKA_DATA_DIR"/node-*/kafka.pid
    return 1
  fi
  log "stopping pid(s) ${pids[*]} (SIGTERM, SIGKILL after ${KAFKA_STOP_TIMEOUT}s)"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  deadline=$((SECONDS + KAFKA_STOP_TIMEOUT))
  while :; do
    mapfile -t pids < <(all_our_pids)
    ((${#pids[@]} > 0)) || break
    if ((SECONDS >= deadline)); then
      log "still running after ${KAFKA_STOP_TIMEOUT}s, sending SIGKILL to ${pids[*]}"
      clean=0
      kill -KILL "${pids[@]}" 2>/dev/null || true
      for _ in $(seq 1 50); do
        [[ -z "$(all_our_pids)" ]] && break
        sleep 0.1
      done
      break
    fi
    sleep 0.2
  done
  [[ -z "$(all_our_pids)" ]] || die "could not stop: $(all_our_pids | tr '\n' ' ')"
  rm -f "$KAFKA_DATA_DIR"/node-*/kafka.pid
  for d in "$KAFKA_DATA_DIR"/node-*; do
    [[ -d "$d" ]] && cds_finish "${d##*/node-}" "$clean"
  done
  return 0
}

cmd_stop() {
  if [[ ! -d "$KAFKA_DATA_DIR" ]]; then
    log "not running (no data dir $KAFKA_DATA_DIR)"
    return 0
  fi
  load_cluster_env
  lock_data_dir
  local t0=$SECONDS
  if stop_all; then log "stopped ($KAFKA_DATA_DIR) in $((SECONDS - t0)) s"
  else log "not running ($KAFKA_DATA_DIR)"; fi
}

cmd_status() {
  load_cluster_env
  local i pid up=0 state
  for ((i = 1; i <= KAFKA_NODES; i++)); do
    pid=""
    if [[ -d "$KAFKA_DATA_DIR" ]]; then pid="$(node_pid "$i")"; fi
    if [[ -z "$pid" ]]; then state="stopped"
    elif node_ready "$i"; then state="running (pid $pid)"; up=$((up + 1))
    else state="starting (pid $pid)"; fi
    echo "node $i: $state, client $KAFKA_HOST:$(client_port "$i"), controller $KAFKA_HOST:$(controller_port "$i")"
  done
  if ((up == KAFKA_NODES)); then echo "kafka: running ($KAFKA_NODES node(s), data dir $KAFKA_DATA_DIR)"
  elif ((up > 0)); then echo "kafka: partially running ($up of $KAFKA_NODES node(s), data dir $KAFKA_DATA_DIR)"
  else echo "kafka: not running (data dir $KAFKA_DATA_DIR)"; fi
  echo "bootstrap servers: $(bootstrap_servers)"
  ((up == KAFKA_NODES)) || return 3
}

cmd_stop_node() {
  local i="${1:-}" signal=TERM pid deadline
  [[ "${2:-}" == "--kill" ]] && signal=KILL
  load_cluster_env
  is_uint "$i" && ((i >= 1 && i <= KAFKA_NODES)) || die "stop-node needs a node number between 1 and $KAFKA_NODES"
  pid="$(node_pid "$i")"
  [[ -n "$pid" ]] || die "node $i is not running"
  kill "-$signal" "$pid"
  deadline=$((SECONDS + KAFKA_STOP_TIMEOUT))
  while [[ -n "$(node_pid "$i")" ]]; do
    if ((SECONDS >= deadline)); then kill -KILL "$pid" 2>/dev/null || true; fi
    sleep 0.2
  done
  rm -f "$(pid_file "$i")"
  log "node $i stopped (SIG$signal)"
}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
}

case "${1:-}" in
  fetch) cmd_fetch; echo "$KAFKA_LIB" ;;
  start) shift; cmd_start "$@" ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  bootstrap) load_cluster_env; bootstrap_servers ;;
  sasl-bootstrap) load_cluster_env; sasl_bootstrap_servers ;;
  stop-node) shift; cmd_stop_node "$@" ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 2 ;;
esac
