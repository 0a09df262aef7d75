#!/usr/bin/env bash
# `npm run build`: compiles the services and libraries to JavaScript in dist/ (tsc, the same
# compiler that type-checks them) so production, the demo and the benchmark run plain node:
# no TypeScript compiler loaded at run time (about 70-90 MB less resident per service, faster start).
# The @vigil/* imports resolve through dist/node_modules/@vigil/<lib> -> ../../libs/<lib>/src
# (Node's own module resolution; no path-alias loader needed at run time).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
rm -rf dist
npx tsc -p tsconfig.build.json
# Files the services read at run time besides their code.
cp services/alerting/src/dashboard/dashboard.html dist/services/alerting/src/dashboard/
mkdir -p dist/services/velocity/rules && cp services/velocity/rules/*.yaml dist/services/velocity/rules/
mkdir -p dist/node_modules/@vigil
for lib in dist/libs/*/; do
  name="$(basename "$lib")"
  ln -s "../../libs/$name/src" "dist/node_modules/@vigil/$name"
done
echo "build: dist/services/<service>/src/main.js ($(find dist -name '*.js' | wc -l) files)"
