#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and runs every test: the Swift unit and integration
# tests (swift test, against Tansu brokers the tests start themselves), the
# generated-code check, and the cross-client tests in tests/ (pytest).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/setup.sh

echo "== generated code is current"
scripts/generate-kafka.sh --check

echo "== swift test"
swift test 2>&1 | tee .build/swift-test.log | grep -vE '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Write|Linking)'
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "swift test failed" >&2; exit 1; }

echo "== pytest (cross-client tests)"
.venv/bin/python -m pytest -v tests/
