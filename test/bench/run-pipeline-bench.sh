#!/usr/bin/env bash
# One command for the full-pipeline benchmark: uses the test stack (starts it when it is not
# running, and then stops it when the benchmark ends, whatever the outcome; a stack that was
# already running is shared and left alone), then runs the benchmark.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
if bash test/stack.sh running; then
  # stack.sh start then only prints its variables (and starts Redis if that is down)
  [ -n "${VIGIL_TEST_KAFKA_BROKERS:-}" ] && [ -n "${VIGIL_TEST_REDIS_URL:-}" ] || eval "$(bash test/stack.sh start)"
  echo "== using the test stack that was already running ($VIGIL_TEST_KAFKA_BROKERS); leaving it running" >&2
else
  # Set before the start, so a start that fails half way (Kafka up, Redis not) is cleaned up too.
  trap 'echo "== stopping the test stack this benchmark started" >&2; bash test/stack.sh stop' EXIT
  eval "$(bash test/stack.sh start)"
fi
export VIGIL_TEST_KAFKA_BROKERS VIGIL_TEST_REDIS_URL
# The services run from the production build (dist/), as deployed.
bash deploy/build/build.sh
# Not `exec`: the EXIT trap must run after the benchmark.
SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register test/bench/pipeline.bench.ts "$@"
