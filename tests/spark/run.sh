#!/usr/bin/env bash
# The Spark stage: installs pyspark into .venv-spark, checks the generated Spark Connect code,
# starts a Spark Connect server on loopback and runs the SparkConnect tests against it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
scripts/spark-connect.sh setup
echo "== Spark Connect generated code is current"
scripts/generate-spark-connect.sh --check
read -r remote pid < <(scripts/spark-connect.sh start)
[ -n "${pid:-}" ] || { echo "spark tests: the Spark Connect server did not start" >&2; exit 1; }
trap 'scripts/spark-connect.sh stop "$pid"' EXIT
echo "== swift test SparkConnectTests against $remote"
SPARK_REMOTE="$remote" SPARK_PYTHON="$root/.venv-spark/bin/python" swift test --filter SparkConnectTests 2>&1 \
  | grep -vE '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Write|Linking)'
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "swift test SparkConnectTests failed" >&2; exit 1; }
echo "== userstream spark submit against $remote"
swift build --product userstream 2>&1 | tail -1
SPARK_REMOTE="$remote" .venv-spark/bin/python -m pytest -v tests/spark
