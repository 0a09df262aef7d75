#!/usr/bin/env bash
# `npm run status`: what is up on this machine (the stack `npm start` runs): each service's
# /health and port, the broker, Redis, the lag of every Vigil consumer group (committed vs end
# offsets) and the alerts of the last minute (alerting's /v1/stats with the dashboard token, else
# its alert counter). Exit 0 when every service, the broker and Redis are up, 3 when something is
# down, 1 when the status could not be taken. Read-only.
# Environment: KAFKA_BROKERS (default: `kafka.sh bootstrap`), REDIS_URL, VIGIL_TOPIC_PREFIX,
# VIGIL_STATUS_SERVICES (name=port,...; default the ports up.sh uses), ALERTING_DASHBOARD_TOKEN
# (default: the demo's, deploy/local/demo.env).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export KAFKA_BROKERS="${KAFKA_BROKERS:-$(bash deploy/local/kafka.sh bootstrap)}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:${REDIS_PORT:-6379}/0}"
if [ -z "${ALERTING_DASHBOARD_TOKEN:-}" ]; then
  ALERTING_DASHBOARD_TOKEN="$(sed -n 's/^ALERTING_DASHBOARD_TOKEN=//p' deploy/local/demo.env)"
  export ALERTING_DASHBOARD_TOKEN
fi
# The build (npm start makes it) starts in ~0.3 s; the sources need the TypeScript loader.
if [ -f dist/libs/service-runtime/src/stack-status.cli.js ]; then
  exec node dist/libs/service-runtime/src/stack-status.cli.js
fi
SWC_NODE_PROJECT=tsconfig.base.json exec node -r @swc-node/register libs/service-runtime/src/stack-status.cli.ts
