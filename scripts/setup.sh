#!/usr/bin/env bash
# Installs everything userstream's build and tests need on a fresh Debian 12 machine:
# Debian packages (compression and SQLite libraries), a Python venv under the repo
# (.venv) with the Tansu broker and the cross-check clients, and builds the binary.
# Safe to run again: each step is skipped when already done.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

apt_packages=(liblz4-dev libsnappy-dev libzstd-dev zlib1g-dev libsqlite3-dev sqlite3 python3-venv)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$python" -m venv .venv
fi
if ! cmp -s tests/requirements.txt .venv/.requirements.installed 2>/dev/null; then
  echo "setup: installing Python packages from tests/requirements.txt"
  .venv/bin/pip install -q --disable-pip-version-check -r tests/requirements.txt
  cp tests/requirements.txt .venv/.requirements.installed
fi

echo "setup: building userstream"
swift build --product userstream 2>&1 | grep -E "error|warning: unre|Compiling userstream|Build complete" || true
test -x .build/debug/userstream || { echo "setup: build failed" >&2; exit 1; }
