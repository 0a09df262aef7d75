#!/usr/bin/env bash
# `npm test`: everything from a fresh clone. Installs dependencies, fetches and starts a real
# Kafka broker and Redis for the tests, type-checks, lints, then runs every jest project
# (unit, integration, end-to-end) against them, and stops what it started.
# Extra arguments go to jest, e.g. `npm test -- libs/kafka`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# `npm install`, not `npm ci`: npm records only this platform's optional native binaries
# (@swc/core-*) in the lockfile (npm/cli#4828), and `npm ci` then refuses the lockfile.
# `npm install` keeps the locked versions and fills those entries in.
if [ ! -d node_modules ] || [ package.json -nt node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== installing dependencies"
  npm install --no-audit --no-fund
fi
command -v java >/dev/null || { echo "Java 17+ is required to run the Kafka broker" >&2; exit 1; }
# The dashboard's browser test drives Debian's Chromium (installed here when missing).
bash deploy/local/ensure-chromium.sh
# test/ops checks the Prometheus alerting rules with promtool (installed here when missing).
bash deploy/local/ensure-promtool.sh
# The deployment tests (test/deploy) validate deploy/compose and render deploy/k8s with these.
bash deploy/local/ensure-deploy-tools.sh

echo "== starting the test stack (Kafka + Redis)"
started=$(date +%s)
# Stop afterwards only what this run started (a developer may keep a test stack running).
if bash test/stack.sh running; then keep_stack=1; else keep_stack=0; fi
# The trap is set before the start, so a start that fails half way (Kafka up, Redis not) is undone too.
[ "$keep_stack" = 1 ] || trap 'echo "== stopping the test stack"; bash test/stack.sh stop' EXIT
stack_env="$(bash test/stack.sh start)"
eval "$stack_env"
echo "   ready in $(( $(date +%s) - started )) s: $VIGIL_TEST_KAFKA_BROKERS, $VIGIL_TEST_REDIS_URL"

echo "== type-check"
npx tsc -p tsconfig.base.json --noEmit

echo "== lint (ESLint with Nx module boundaries)"
NX_DAEMON=false npx nx run-many -t lint --output-style=static

echo "== tests"
npx jest --ci --forceExit "$@"
