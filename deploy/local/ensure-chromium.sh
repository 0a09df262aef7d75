#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium for the dashboard's browser test (playwright-core
# drives it; it never downloads a browser of its own). Idempotent: does nothing when present.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
echo "== installing chromium (apt-get)" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
/usr/bin/chromium --version >&2
