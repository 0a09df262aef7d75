#!/usr/bin/env bash
# The README's dashboard screenshots, from the demo's real alerts (test/e2e/dashboard-screenshots.e2e-spec.ts):
# the four services on the demo's simulated hour, the dashboard in Debian's headless Chromium.
# Starts the test stack (Kafka + Redis) unless one runs; writes docs/screenshots/*.png.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
bash deploy/local/ensure-chromium.sh
if [ -z "${VIGIL_TEST_KAFKA_BROKERS:-}" ]; then
  if bash test/stack.sh running; then keep=1; else keep=0; fi
  [ "$keep" = 1 ] || trap 'bash test/stack.sh stop' EXIT
  eval "$(bash test/stack.sh start)"
fi
VIGIL_SCREENSHOTS=1 npx jest --ci --forceExit test/e2e/dashboard-screenshots.e2e-spec.ts
