#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium for the status page test (tests/test_status_page.py)
# and prints its path. Safe to run again: does nothing when it is already installed.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  echo "setup-chromium: installing the Debian package chromium" >&2
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
command -v chromium
