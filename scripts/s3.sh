#!/usr/bin/env bash
# Starts or stops a local S3-compatible server (moto's server mode, from tests/requirements.txt)
# for a durable Tansu broker: `tansu broker --storage-engine s3://BUCKET/` keeps its data there,
# so a broker can be stopped and started again without losing records.
#   scripts/s3.sh start        prints "http://127.0.0.1:PORT PID" once the server answers
#   scripts/s3.sh stop PID     stops it
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
py="$root/.venv/bin/python"
. "$root/scripts/background.sh"

case "${1:-}" in
  start)
    [ -x "$root/.venv/bin/moto_server" ] || { echo "s3: moto_server is missing — run scripts/setup.sh" >&2; exit 1; }
    port=${2:-$(free_port)}
    logdir=${S3_LOG_DIR:-$root/.build/s3}; mkdir -p "$logdir"
    nohup "$root/.venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$logdir/moto-$port.log" 2>&1 </dev/null &
    pid=$!
    # Wait for the server to answer, not a fixed time.
    if await_ready "$pid" 400 "$py" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/', timeout=0.5)"; then
      echo "http://127.0.0.1:$port $pid"; exit 0
    fi
    echo "s3: server did not start; log: $logdir/moto-$port.log" >&2
    kill "$pid" 2>/dev/null || true
    exit 1 ;;
  stop)
    stop_server "${2:?usage: s3.sh stop PID}" ;;
  *)
    echo "usage: scripts/s3.sh start [PORT] | stop PID" >&2; exit 2 ;;
esac
