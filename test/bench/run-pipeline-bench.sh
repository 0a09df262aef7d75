#!/usr/bin/env bash
# One command for the full-pipeline benchmark: uses the test stack (starts it when it is not
# running; never stops a stack it did not start: it is shared), then runs the benchmark.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
if [ -z "${VIGIL_TEST_KAFKA_BROKERS:-}" ] || [ -z "${VIGIL_TEST_REDIS_URL:-}" ] || ! bash test/stack.sh running; then
  eval "$(bash test/stack.sh start)"
fi
export VIGIL_TEST_KAFKA_BROKERS VIGIL_TEST_REDIS_URL
# The services run from the production build (dist/), as deployed.
bash deploy/build/build.sh
SWC_NODE_PROJECT=tsconfig.base.json exec node -r @swc-node/register test/bench/pipeline.bench.ts "$@"
