#!/usr/bin/env bash
# Sets up and runs every test:
#   - generated code (Kafka codecs, Spark Connect protobuf/gRPC, the embedded users contract) is current;
#   - swift test: unit tests, and integration tests against real processes — Tansu brokers the
#     tests start themselves, the scripted CQL peer, and a Spark Connect server started here;
#   - pytest: the Swift client and binary against kafka-python and confluent-kafka (tests/), the
#     fault tests (tests/faults), the binary's end-to-end tests again as an ordinary user,
#     `userstream spark` against Spark (tests/spark), the Airflow DAG, compose file and
#     Dockerfile (tests/deploy), each with its own venv;
#   - the compose rehearsal: the stack's services as local processes (tests/deploy/test_rehearsal.py).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/setup.sh
scripts/setup-chromium.sh >/dev/null
scripts/spark-connect.sh setup
scripts/setup-airflow.sh

echo "== generated code is current"
scripts/generate-kafka.sh --check
scripts/generate-spark-connect.sh --check
scripts/generate-contract.sh --check

read -r spark_remote spark_pid < <(scripts/spark-connect.sh start)
trap 'scripts/spark-connect.sh stop "$spark_pid"' EXIT
export SPARK_REMOTE="$spark_remote" SPARK_PYTHON="$root/.venv-spark/bin/python"
echo "== Spark Connect server at $SPARK_REMOTE"

echo "== swift test"
swift_test() {
  swift test 2>&1 | tee .build/swift-test.log | grep -vE '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Write|Linking)'
  return "${PIPESTATUS[0]}"
}
# SwiftNIO can trap when a Hummingbird server stops while a connection it accepted is not yet
# served (apple/swift-nio#3481, open): the whole test process dies with no test failing. Only
# that crash gets one more run, announced; any failing test fails the stage at once.
if ! swift_test; then
  grep -q "Deinited NIOAsyncWriter without calling finish()" .build/swift-test.log && ! grep -q "✘" .build/swift-test.log \
    || { echo "swift test failed" >&2; exit 1; }
  echo "== swift test again: the run above died in SwiftNIO's server shutdown trap (swift-nio#3481), no test failed"
  swift_test || { echo "swift test failed" >&2; exit 1; }
fi

# Every pytest stage runs even when an earlier one failed, so one run shows every failure;
# the script fails at the end if any did.
failed=()
stage() {
  local name=$1 started=$SECONDS; shift
  echo "== $name"
  if "$@"; then echo "-- $name: passed in $((SECONDS - started)) s"
  else echo "-- $name: FAILED after $((SECONDS - started)) s"; failed+=("$name"); fi
}

# The README stage, the rehearsal and the ordinary-user stage run processes as other users (the images' uids, uid
# 65534): they must be able to reach the checkout, so every folder above it has to be searchable
# (a checkout under a 0700 temporary folder is not). Only the search bit is added, nothing readable.
if [ "$(id -u)" -eq 0 ]; then
  dir=$root
  while [ "$dir" != / ]; do
    # Group too: Airflow's uid runs with gid 0, to which a root-owned folder's group bits apply.
    if [ "$(( 0$(stat -c %a "$dir") & 011 ))" -ne 9 ]; then
      echo "test: letting other users pass through $dir (chmod go+x)"; chmod go+x "$dir"
    fi
    dir=$(dirname "$dir")
  done
fi

# The README's first command as printed (scripts/up.sh), `userstream up` as an ordinary user, and
# every other command the README shows, against a live pipeline (under 3 minutes here).
stage "README as written: scripts/up.sh, up as an ordinary user, every command it shows" \
  .venv/bin/python -m pytest -v tests/test_readme.py

stage "pytest: cross-client and pipeline tests" \
  .venv/bin/python -m pytest -v tests/ --ignore=tests/deploy --ignore=tests/spark --ignore=tests/faults \
    --ignore=tests/test_readme.py

stage "pytest: userstream spark against Spark Connect" .venv-spark/bin/python -m pytest -v tests/spark

stage "pytest: Airflow DAG, compose file, Dockerfile" \
  .venv-airflow/bin/python -m pytest -v tests/deploy --ignore=tests/deploy/test_rehearsal.py

stage "promtool: the stack's Prometheus configuration and a unit test per alert" \
  bash -c 'promtool check config deploy/prometheus/prometheus.yml && promtool test rules tests/deploy/prometheus/alerts.test.yml'

rehearse() { scripts/setup-rehearsal.sh && .venv-rehearsal/bin/python -m pytest -v tests/deploy/test_rehearsal.py; }
stage "rehearsal: deploy/docker-compose.yml's services as local processes, driven like a user" rehearse

as_ordinary_user() (  # a subshell: the variable stays here
  export USERSTREAM_RUN_AS=65534:65534
  .venv/bin/python -m pytest -v tests/test_pipeline.py tests/test_status.py \
    tests/faults/test_unprivileged.py tests/faults/test_sqlite_faults.py tests/faults/test_processes_killed.py \
    -k "not chromium and not durable" &&
  swift test --filter StreamToCassandraTests
)
stage "as an ordinary user (uid 65534, through setpriv): produce, stream to SQLite and the CQL peer, status, up, faults" \
  as_ordinary_user

stage "pytest: faults — brokers, processes, sinks and connections failing (each run ends with the history checker), bad input, secrets" \
  .venv/bin/python -m pytest -v --durations=20 tests/faults

if [ ${#failed[@]} -gt 0 ]; then
  printf 'failed stage: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "== every stage passed"
