"""A/B of two (or more) userstream binaries: CPU per record of `kafka produce` and `kafka consume`.

On a shared machine the CPU one run takes swings by ±20% with what else runs, so comparing two
builds needs them run side by side: every repetition runs each binary in turn (the order
alternates), each on its own fresh 6-partition topic on one Tansu broker, and the medians are
compared. CPU is the child's task-clock (user + system) from `perf stat`; page faults come along
because fresh-memory faults are a large part of what a producer costs.

    .venv/bin/python benchmarks/userstream_ab.py --binary /tmp/userstream-before --binary .build-release/release/userstream \
        [--records 200000] [--repetitions 7] [--compression none]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from kafka_fixtures import make_records  # noqa: E402
from processes import Broker  # noqa: E402


def measured(argv, env, stdin_path=None):
    """CPU seconds (task-clock), page faults and wall seconds of one child process."""
    with tempfile.NamedTemporaryFile("r", suffix=".csv") as out:
        stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        start = time.perf_counter()
        done = subprocess.run(["perf", "stat", "-x", ",", "-o", out.name, "-e", "task-clock,page-faults", "--", *argv],
                              stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        wall = time.perf_counter() - start
        if stdin_path:
            stdin.close()
        assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
        values = {}
        for line in out.read().splitlines():
            fields = line.split(",")
            if len(fields) > 3 and fields[0][:1].isdigit():
                values[fields[2].split(":")[0]] = float(fields[0])
    return {"cpu_s": values["task-clock"] / 1000, "page_faults": values["page-faults"], "wall_s": wall}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", action="append", required=True, help="a userstream binary; give two or more")
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--repetitions", type=int, default=7)
    parser.add_argument("--compression", default="none")
    args = parser.parse_args()
    binaries = [str(Path(b).resolve()) for b in args.binary]
    broker = Broker(schema_registry=False)  # no registry: see kafka_clients.py
    env = dict(os.environ, USERSTREAM_BOOTSTRAP_SERVERS=broker.bootstrap)
    samples = {(b, op): [] for b in binaries for op in ("produce", "consume")}
    loads = []
    try:
        with tempfile.TemporaryDirectory() as workdir:
            input_path = Path(workdir) / "records.tsv"
            input_path.write_bytes("".join(f"{k}\t{v}\n" for k, v in make_records(args.records, prefix="ab")).encode())
            for rep in range(args.repetitions):
                for b in (binaries if rep % 2 == 0 else binaries[::-1]):
                    topic = f"ab-{rep}-{binaries.index(b)}"
                    subprocess.run([b, "kafka", "topics", "create", topic, "--partitions", "6"], check=True, capture_output=True, env=env)
                    samples[(b, "produce")].append(measured(
                        [b, "kafka", "produce", topic, "--key-separator", "\t", "--acks", "all", "--compression", args.compression],
                        env, input_path))
                    samples[(b, "consume")].append(measured(
                        [b, "kafka", "consume", topic, "--from-beginning", "--count", str(args.records)], env))
                    subprocess.run([b, "kafka", "topics", "delete", topic], check=True, capture_output=True, env=env)
                    loads.append(os.getloadavg()[0])
    finally:
        broker.stop()
    per_100k = 100_000 / args.records
    print(f"{args.records:,} records, compression {args.compression}, {args.repetitions} alternating repetitions; "
          f"1-minute load min {min(loads):.2f} median {statistics.median(loads):.2f} max {max(loads):.2f} on {os.cpu_count()} CPUs")
    print("| binary | operation | CPU s per 100k (median) | all runs | page faults (median) | records/s (median) |")
    print("|---|---|---:|---|---:|---:|")
    for (b, op), runs in samples.items():
        cpus = [r["cpu_s"] * per_100k for r in runs]
        print(f"| {b} | {op} | {statistics.median(cpus):.3f} | {' '.join(f'{c:.3f}' for c in cpus)} | "
              f"{statistics.median(r['page_faults'] for r in runs):,.0f} | "
              f"{args.records / statistics.median(r['wall_s'] for r in runs):,.0f} |")


if __name__ == "__main__":
    main()
