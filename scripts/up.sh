#!/usr/bin/env bash
# Sets up (scripts/setup.sh: Debian packages, .venv with the Tansu broker, the build) and runs
# the pipeline on this machine: `userstream up` with its embedded defaults. Arguments go to
# `userstream up` (see `userstream up --help`), e.g. scripts/up.sh --count 100000
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/setup.sh
exec .build/debug/userstream up "$@"
