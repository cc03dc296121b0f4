#!/usr/bin/env bash
# Installs Airflow 3 and the deploy tests' tools into their own venv, .venv-airflow
# (Airflow pins many packages, so it stays apart from .venv). Pins come from
# tests/deploy/constraints.txt, the way Airflow's own constraints files are used.
# Also Debian's prometheus package, whose promtool checks deploy/prometheus (tests/deploy).
# Safe to run again: skipped when the installed set matches the requirement files.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if ! command -v promtool >/dev/null; then
  echo "setup-airflow: installing prometheus (Debian) for promtool"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus; } >/dev/null
fi

venv=.venv-airflow
stamp="$venv/.requirements.installed"
python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 13) else 1)' || {
  echo "setup-airflow: Airflow 3.3 needs Python 3.10-3.13; set PYTHON" >&2; exit 1; }
if [ ! -x "$venv/bin/python" ]; then
  echo "setup-airflow: creating $venv"
  "$python" -m venv "$venv"
fi
if ! cat tests/deploy/requirements.txt tests/deploy/constraints.txt | cmp -s - "$stamp" 2>/dev/null; then
  echo "setup-airflow: installing Airflow and the deploy test tools"
  "$venv/bin/pip" install -q --disable-pip-version-check \
    -r tests/deploy/requirements.txt -c tests/deploy/constraints.txt
  # A home of its own, so the check neither reads nor writes ~/airflow.
  if ! out=$(AIRFLOW_HOME="$root/$venv/airflow-home" "$venv/bin/airflow" version 2>&1); then
    echo "$out" | tail -20 >&2; echo "setup-airflow: airflow does not start" >&2; exit 1
  fi
  cat tests/deploy/requirements.txt tests/deploy/constraints.txt > "$stamp"
fi
echo "setup-airflow: apache-airflow $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("apache-airflow"))') in $venv, $(promtool --version 2>&1 | head -1)"
