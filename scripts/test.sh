#!/usr/bin/env bash
# Sets up and runs every test:
#   - generated code (Kafka codecs, Spark Connect protobuf/gRPC) is current;
#   - swift test: unit tests, and integration tests against real processes — Tansu brokers the
#     tests start themselves, the scripted CQL peer, and a Spark Connect server started here;
#   - pytest: the Swift client and binary against kafka-python and confluent-kafka (tests/),
#     `userstream spark` against Spark (tests/spark), the Airflow DAG, compose file and
#     Dockerfile (tests/deploy), each with its own venv.
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

read -r spark_remote spark_pid < <(scripts/spark-connect.sh start)
trap 'scripts/spark-connect.sh stop "$spark_pid"' EXIT
export SPARK_REMOTE="$spark_remote" SPARK_PYTHON="$root/.venv-spark/bin/python"
echo "== Spark Connect server at $SPARK_REMOTE"

echo "== swift test"
swift test 2>&1 | tee .build/swift-test.log | grep -vE '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Write|Linking)'
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "swift test failed" >&2; exit 1; }

echo "== pytest: cross-client and pipeline tests"
.venv/bin/python -m pytest -v tests/ --ignore=tests/deploy --ignore=tests/spark

echo "== pytest: userstream spark against Spark Connect"
.venv-spark/bin/python -m pytest -v tests/spark

echo "== pytest: Airflow DAG, compose file, Dockerfile"
.venv-airflow/bin/python -m pytest -v tests/deploy
