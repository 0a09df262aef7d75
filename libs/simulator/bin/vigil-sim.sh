#!/usr/bin/env bash
# Runs one simulator CLI (simulate | replay | backtest | rule-precision | labels-export) from source, from the repository root.
set -euo pipefail
command="${1:?usage: vigil-sim.sh simulate|replay|backtest|rule-precision|labels-export [args...]}"
shift
case "$command" in simulate|replay|backtest|rule-precision|labels-export) ;; *) echo "unknown command: $command" >&2; exit 2 ;; esac
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
export SWC_NODE_PROJECT="$root/tsconfig.base.json"
# npm runs scripts from the repository root; relative paths given by the user mean where npm was invoked.
cd "${INIT_CWD:-$PWD}"
exec node -r "$root/node_modules/@swc-node/register" "$root/libs/simulator/src/cli/$command.ts" "$@"
