#!/usr/bin/env bash
# Starts or stops a Spark Connect server (pyspark's bundled Spark, local[2]) on a free loopback port.
#   scripts/spark-connect.sh setup        create .venv-spark from tests/spark/requirements.txt (and install Java 17 if missing)
#   scripts/spark-connect.sh start        prints "sc://127.0.0.1:PORT PID" once the server accepts connections
#   scripts/spark-connect.sh stop PID     stops it
# pyspark is pinned in tests/spark/requirements.txt to the Spark release deploy/docker-compose.yml
# runs (tests/deploy/test_spark_pins.py keeps them equal), so the tests talk to the stack's Spark.
# Spark needs Java 17: JAVA_HOME defaults to /usr/lib/jvm/java-17-openjdk-amd64.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venv-spark"
py="$venv/bin/python"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
# shellcheck source=background.sh
. "$root/scripts/background.sh"

spark_home() {
  [ -x "$py" ] || { echo "spark-connect: $venv is missing — run scripts/spark-connect.sh setup" >&2; exit 1; }
  "$py" -c 'import pyspark, os; print(os.path.dirname(pyspark.__file__))'
}

case "${1:-}" in
  setup)
    if [ ! -x "$JAVA_HOME/bin/java" ]; then
      echo "spark-connect: installing Java 17 (Debian openjdk-17-jre-headless)" >&2
      { apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless; } >/dev/null
    fi
    [ -x "$py" ] || python3.11 -m venv "$venv"
    "$venv/bin/pip" install -q -r "$root/tests/spark/requirements.txt" ;;
  start)
    home=$(spark_home)
    port=${2:-$(free_port)}
    ui_port=$(free_port)
    logdir="$root/.build/spark-connect"; mkdir -p "$logdir"
    [ -x "$JAVA_HOME/bin/java" ] || { echo "spark-connect: no Java at $JAVA_HOME — install openjdk-17-jre-headless or set JAVA_HOME" >&2; exit 1; }
    # spark-submit runs the server in the foreground; nohup keeps it past this script.
    SPARK_HOME="$home" SPARK_LOCAL_IP=127.0.0.1 nohup "$home/bin/spark-submit" \
      --class org.apache.spark.sql.connect.service.SparkConnectServer \
      --master 'local[2]' \
      --conf spark.connect.grpc.binding.address=127.0.0.1 \
      --conf spark.connect.grpc.binding.port="$port" \
      --conf spark.ui.enabled=false --conf spark.ui.port="$ui_port" \
      --conf spark.sql.shuffle.partitions=2 \
      --conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1 \
      --conf spark.sql.warehouse.dir="$logdir/warehouse-$port" \
      --driver-java-options "-Dderby.system.home=$logdir/derby-$port" \
      >"$logdir/spark-connect-$port.log" 2>&1 </dev/null &
    pid=$!
    # Wait for the gRPC listener, not a fixed time (a JVM start takes 5-30 s; up to 120 s allowed).
    if await_ready "$pid" 2400 "$py" -c "import socket; socket.create_connection(('127.0.0.1',$port),0.2)"; then
      echo "sc://127.0.0.1:$port $pid"; exit 0
    fi
    echo "spark-connect: server did not start; log: $logdir/spark-connect-$port.log" >&2
    kill "$pid" 2>/dev/null || true
    exit 1 ;;
  stop)
    # spark-submit execs the JVM, so the PID is the server itself.
    stop_server "${2:?usage: spark-connect.sh stop PID}" ;;
  *)
    echo "usage: scripts/spark-connect.sh setup | start [PORT] | stop PID" >&2; exit 2 ;;
esac
