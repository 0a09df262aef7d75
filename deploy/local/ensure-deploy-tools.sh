#!/usr/bin/env bash
# Installs the tools the deployment tests (test/deploy) drive, from Debian packages, when missing:
#   docker-compose       `docker-compose config` validates deploy/compose offline (no Docker engine needed)
#   kubernetes-client    `kubectl kustomize` renders deploy/k8s (kubectl's built-in kustomize)
# Idempotent: does nothing when both commands are present (a kubectl from elsewhere is kept).
set -euo pipefail
missing=()
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)
if [ "${#missing[@]}" = 0 ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
echo "== installing ${missing[*]} (apt-get)" >&2
$SUDO apt-get update -qq
# No recommends: docker-compose recommends the Docker engine, which the tests do not use.
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
docker-compose version --short >&2
kubectl version --client 2>&1 | head -1 >&2 || true
