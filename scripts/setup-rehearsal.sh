#!/usr/bin/env bash
# Installs what the compose rehearsal (tests/deploy/test_rehearsal.py) runs in place of the
# stack's images, and prints what it installed:
#   - PostgreSQL from Debian (the postgres image's server, as the Debian package);
#   - Java 17 (Spark's images run on it), setpriv, and nss_wrapper (the images' passwd entries);
#   - Prometheus from Debian (the release the compose file's prom/prometheus image is pinned to);
#   - .venv-rehearsal: Airflow and the deploy test tools (tests/deploy/requirements.txt, pinned by
#     constraints.txt, with the PostgreSQL driver the Airflow image has) plus pyspark of exactly the
#     Spark version of the compose file's apache/spark image (its bin/ runs the master, worker and
#     Connect server).
# The venv is made from Debian's /usr/bin/python3, not a python under a home folder, so the
# services can run as their images' unprivileged uids (Airflow 50000) and still execute it.
# Safe to run again: skipped when the installed set matches.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

need_apt=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
java_home=${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
[ -x "$java_home/bin/java" ] || need_apt+=(openjdk-17-jre-headless)
python=/usr/bin/python3
"$python" -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
command -v setpriv >/dev/null || need_apt+=(util-linux)
[ -x /usr/bin/prometheus ] || need_apt+=(prometheus)
# The images' own /etc/passwd users (spark 185, airflow 50000) without touching the machine's.
[ -e /usr/lib/x86_64-linux-gnu/libnss_wrapper.so ] || need_apt+=(libnss-wrapper)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup-rehearsal: installing ${need_apt[*]} (Debian)" >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"; } >/dev/null
fi

# The Spark version the compose file runs: apache/spark:<version>-scala...
spark_version=$(sed -n 's/^ *image: *apache\/spark:\([0-9][0-9.]*\)-.*/\1/p' deploy/docker-compose.yml | sort -u)
[ "$(echo "$spark_version" | wc -l)" = 1 ] && [ -n "$spark_version" ] || {
  echo "setup-rehearsal: expected one apache/spark version in deploy/docker-compose.yml, found: ${spark_version:-none}" >&2; exit 1; }

venv=.venv-rehearsal
stamp="$venv/.requirements.installed"
want=$(cat tests/deploy/requirements.txt tests/deploy/constraints.txt; echo "pyspark==$spark_version")
if [ ! -x "$venv/bin/python" ]; then
  echo "setup-rehearsal: creating $venv from $python" >&2
  "$python" -m venv "$venv"
fi
if [ "$want" != "$(cat "$stamp" 2>/dev/null)" ]; then
  echo "setup-rehearsal: installing Airflow, the deploy test tools and pyspark==$spark_version into $venv" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check \
    -r tests/deploy/requirements.txt -c tests/deploy/constraints.txt "pyspark==$spark_version"
  echo "$want" > "$stamp"
fi
echo "setup-rehearsal: $(ls -d /usr/lib/postgresql/*/bin | head -1), $(/usr/bin/prometheus --version 2>&1 | head -1), pyspark $spark_version and apache-airflow $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("apache-airflow"))') in $venv"
