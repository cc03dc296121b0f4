#!/usr/bin/env bash
# Regenerates Sources/KafkaProtocol/Generated from Kafka's JSON message definitions.
#   scripts/generate-kafka.sh           rewrite the generated files
#   scripts/generate-kafka.sh --check   fail if the committed files differ from fresh output (CI)
# Definitions come from $KAFKA_SPECS (default: ../shared/specs next to the repository), which
# holds kafka-messages/*.json and kafka-docs/error-codes.csv.
# The generator is compiled straight with swiftc (Foundation only), so a fresh clone needs no
# package resolution and no dependency builds; the binary is cached in .build/kafka-codegen/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

specs=${KAFKA_SPECS:-$root/../shared/specs}
definitions="$specs/kafka-messages"
error_codes="$specs/kafka-docs/error-codes.csv"
[ -d "$definitions" ] || { echo "generate-kafka: $definitions not found — set KAFKA_SPECS to the directory holding kafka-messages/ and kafka-docs/" >&2; exit 1; }
[ -f "$error_codes" ] || { echo "generate-kafka: $error_codes not found — set KAFKA_SPECS" >&2; exit 1; }

bin_dir="$root/.build/kafka-codegen"
bin="$bin_dir/kafka-codegen"
sources=(Sources/KafkaCodegen/*.swift)
if [ ! -x "$bin" ] || [ -n "$(find Sources/KafkaCodegen -name '*.swift' -newer "$bin")" ]; then
  mkdir -p "$bin_dir"
  swiftc -module-name kafka_codegen -swift-version 6 -o "$bin" "${sources[@]}"
fi

generated="Sources/KafkaProtocol/Generated"
if [ "${1:-}" = "--check" ]; then
  fresh=$(mktemp -d)
  trap 'rm -rf "$fresh"' EXIT
  "$bin" "$definitions" "$error_codes" "$fresh" >/dev/null
  if ! diff -ru "$generated" "$fresh" >"$fresh.diff" 2>&1; then
    cat "$fresh.diff" | head -80 >&2
    rm -f "$fresh.diff"
    echo "generate-kafka: $generated is out of date with the generator or the definitions — run scripts/generate-kafka.sh and commit the result" >&2
    exit 1
  fi
  rm -f "$fresh.diff"
  echo "generate-kafka: $generated is up to date"
else
  "$bin" "$definitions" "$error_codes" "$generated"
fi
