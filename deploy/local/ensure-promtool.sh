#!/usr/bin/env bash
# Installs Debian's Prometheus package for its `promtool` (the tests check deploy/prometheus/alerts.yml
# with `promtool check rules` and run its unit tests with `promtool test rules`). Idempotent: does
# nothing when promtool is present. Only promtool is used; on a machine with systemd the package
# also enables its Prometheus server unit (port 9090), which `systemctl disable --now prometheus` stops.
set -euo pipefail
if command -v promtool >/dev/null 2>&1; then exit 0; fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
echo "== installing promtool (apt-get install prometheus)" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null
promtool --version 2>&1 | head -n1 >&2
