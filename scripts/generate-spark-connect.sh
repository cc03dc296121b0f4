#!/usr/bin/env bash
# Regenerates Sources/SparkConnect/Generated from Spark Connect's .proto files.
#   scripts/generate-spark-connect.sh           rewrite the generated files
#   scripts/generate-spark-connect.sh --check   fail if the committed files differ from fresh output (CI)
# The .proto files ship inside pyspark's jars/spark-connect_2.13-*.jar (spark/connect/*.proto);
# pyspark comes from tests/spark/requirements.txt, installed into .venv-spark by scripts/spark-connect.sh setup.
# protoc is Debian's protobuf-compiler (installed with apt-get when missing). The two protoc
# plugins are built once from the package mirror into .build-protoc-plugins/ (a release build
# of swift-protobuf and grpc-swift-protobuf: about 10 minutes from scratch on 2 cores, a few
# seconds afterwards), so the check costs one protoc run once they exist.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if ! command -v protoc >/dev/null; then
  echo "generate-spark-connect: installing protoc (Debian protobuf-compiler)" >&2
  { apt-get update -qq && apt-get install -y -qq protobuf-compiler; } >/dev/null || { echo "generate-spark-connect: protoc is missing — apt-get install protobuf-compiler" >&2; exit 1; }
fi

plugins="$root/.build-protoc-plugins"
mkdir -p "$plugins"
cat > "$plugins/Package.swift" <<'SWIFT'
// swift-tools-version:6.1
import PackageDescription
let package = Package(
    name: "protoc-plugins",
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", exact: "2.4.1"),
    ],
    targets: []
)
SWIFT
bin="$plugins/.build/release"
if [ ! -x "$bin/protoc-gen-swift" ] || [ ! -x "$bin/protoc-gen-grpc-swift-2" ]; then
  echo "generate-spark-connect: building the protoc plugins (first time: about 10 minutes)" >&2
  (cd "$plugins" && swift build -c release --product protoc-gen-swift >&2 && swift build -c release --product protoc-gen-grpc-swift-2 >&2)
fi

jar=${SPARK_CONNECT_JAR:-}
if [ -z "$jar" ]; then
  py="$root/.venv-spark/bin/python"
  [ -x "$py" ] || { echo "generate-spark-connect: $root/.venv-spark is missing — run scripts/spark-connect.sh setup, or set SPARK_CONNECT_JAR" >&2; exit 1; }
  jar=$(ls "$("$py" -c 'import pyspark, os; print(os.path.dirname(pyspark.__file__))')"/jars/spark-connect_2.13-*.jar | head -1)
fi
[ -f "$jar" ] || { echo "generate-spark-connect: spark-connect jar not found — set SPARK_CONNECT_JAR" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The jar also carries the google/protobuf/*.proto files the Spark protos import; SwiftProtobuf
# already provides those types, so they are only an include path here.
(cd "$work" && unzip -q -o "$jar" 'spark/connect/*.proto' 'google/protobuf/*.proto')
protos=$(cd "$work" && ls spark/connect/*.proto)

generate() {
  local out=$1
  mkdir -p "$out"
  (cd "$work" && protoc -I . \
    --plugin=protoc-gen-swift="$bin/protoc-gen-swift" \
    --plugin=protoc-gen-grpc-swift-2="$bin/protoc-gen-grpc-swift-2" \
    --swift_opt=Visibility=Public --swift_opt=FileNaming=PathToUnderscores \
    --swift_out="$out" \
    --grpc-swift-2_opt=Visibility=Public,Server=false,FileNaming=PathToUnderscores \
    --grpc-swift-2_out="$out" \
    $protos)
  # Only base.proto declares a service; drop the service files of the others, which are empty.
  grep -l "This file contained no services" "$out"/*.grpc.swift | xargs rm -f
}

generated="$root/Sources/SparkConnect/Generated"
if [ "${1:-}" = "--check" ]; then
  generate "$work/fresh"
  if ! diff -ru "$generated" "$work/fresh" >&2; then
    echo "generate-spark-connect: $generated is out of date with the protos or the plugins — run scripts/generate-spark-connect.sh and commit the result" >&2
    exit 1
  fi
  echo "generate-spark-connect: $generated is current"
else
  rm -rf "$generated"
  generate "$generated"
  echo "generate-spark-connect: wrote $(ls "$generated" | wc -l) files to $generated"
fi
