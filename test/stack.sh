#!/usr/bin/env bash
# The test stack: a Kafka broker on its own ports with a fresh data directory (never the dev
# broker on 9092), and Redis (the machine's, or one started for the purpose; tests isolate
# their keys by prefix). `start` prints the variables the tests read, for `eval`.
#   eval "$(bash test/stack.sh start)"   ...   bash test/stack.sh stop
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export KAFKA_PORT="${VIGIL_TEST_KAFKA_PORT:-19092}"
export KAFKA_CONTROLLER_PORT="${VIGIL_TEST_KAFKA_CONTROLLER_PORT:-19093}"
# A SASL_PLAINTEXT listener beside it for the client authentication tests (SCRAM and PLAIN).
export KAFKA_SASL_PORT="${VIGIL_TEST_KAFKA_SASL_PORT:-19094}"
export KAFKA_SASL_USERNAME=vigil-test KAFKA_SASL_PASSWORD=vigil-test-secret
export KAFKA_DATA_DIR="${VIGIL_TEST_KAFKA_DATA_DIR:-${TMPDIR:-/tmp}/vigil-test-kafka-$KAFKA_PORT}"
export REDIS_PORT="${VIGIL_TEST_REDIS_PORT:-6379}"

case "${1:-}" in
  start)
    if ! bash "$ROOT/deploy/local/kafka.sh" status >/dev/null 2>&1; then
      KAFKA_FRESH=1 bash "$ROOT/deploy/local/kafka.sh" start >&2
    fi
    bash "$ROOT/deploy/local/redis.sh" start >&2
    echo "export VIGIL_TEST_KAFKA_BROKERS=$(bash "$ROOT/deploy/local/kafka.sh" bootstrap)"
    # Empty when a running test broker was started without the SASL listener (the SASL test says so).
    echo "export VIGIL_TEST_KAFKA_SASL_BROKERS=$(bash "$ROOT/deploy/local/kafka.sh" sasl-bootstrap 2>/dev/null || true)"
    echo "export VIGIL_TEST_KAFKA_SASL_USERNAME=$KAFKA_SASL_USERNAME VIGIL_TEST_KAFKA_SASL_PASSWORD=$KAFKA_SASL_PASSWORD"
    echo "export VIGIL_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
    ;;
  running)
    bash "$ROOT/deploy/local/kafka.sh" status >/dev/null 2>&1
    ;;
  stop)
    bash "$ROOT/deploy/local/kafka.sh" stop >&2
    bash "$ROOT/deploy/local/redis.sh" stop >&2
    ;;
  *) echo "usage: $0 start|running|stop" >&2; exit 2 ;;
esac
