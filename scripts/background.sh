# Sourced by the scripts that start a server in the background (tansu.sh, s3.sh): a free port,
# waiting for the server to be ready, and stopping it. Needs $py (the venv's python).

free_port() {
  "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# await_ready PID TRIES CHECK...: runs CHECK every 50 ms until it succeeds (0) or PID has exited
# or TRIES ran out (1) — waiting for the server itself, not for a fixed time.
await_ready() {
  local pid=$1 tries=$2; shift 2
  for _ in $(seq 1 "$tries"); do
    "$@" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

# stop_server PID [SIGNAL]: SIGNAL (TERM by default), up to 5 s to exit, then SIGKILL.
stop_server() {
  kill -"${2:-TERM}" "$1" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.05; done
  kill -9 "$1" 2>/dev/null || true
}
