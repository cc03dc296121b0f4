"""Produce → stored latency at a steady rate, and the time from `userstream up` starting to its
first stored user, on the embedded setup (Tansu, the stand-in API, SQLite).

Latency: a `stream` with --http runs against a fresh 3-partition topic; `produce` is paced by the
stand-in API (each answer of --batch users takes --latency-ms, one request at a time: 1,000 users
per 100 ms is 10,000 users/s). p50/p99 come from the stream's own end-to-end histogram
(`userstream_end_to_end_latency_seconds`: record timestamp → stored), read before and after the
measured run and interpolated within its buckets (10, 50, 100, 250 ms …), so they are estimates
at that resolution. A warm-up run first, so the group join is not measured.

Start-up: `userstream up --count 1000` in an empty folder, from spawning it to the first row in
its SQLite file (checked every 5 ms), median of --repetitions.

    swift build -c release --product userstream
    .venv/bin/python benchmarks/latency.py [--users 100000] [--repetitions 3]
"""
import argparse
import json
import os
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from processes import Broker, StandInAPI, tansu_bin  # noqa: E402

BIN = os.environ.get("USERSTREAM_BIN", str(ROOT / ".build" / "release" / "userstream"))
HISTOGRAM = "userstream_end_to_end_latency_seconds"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stored(db) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
            return connection.execute("SELECT COUNT(*) FROM created_users").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def buckets(metrics_url) -> dict[float, int]:
    """Cumulative counts per upper bound of the end-to-end histogram."""
    text = urllib.request.urlopen(metrics_url, timeout=10).read().decode()
    out = {}
    for match in re.finditer(HISTOGRAM + r'_bucket\{le="([^"]+)"\} (\d+)', text):
        out[float(match.group(1))] = int(match.group(2))
    return out


def quantile(counts: dict[float, int], q: float) -> float:
    """The q-quantile in seconds, interpolated linearly within its bucket."""
    bounds = sorted(counts)
    total = counts[bounds[-1]]
    rank, lower, below = q * total, 0.0, 0
    for bound in bounds:
        if counts[bound] >= rank:
            inside = counts[bound] - below
            return lower + (bound - lower) * ((rank - below) / inside if inside else 1)
        lower, below = bound, counts[bound]
    return float("inf")


def run(args, env, **kwargs):
    return subprocess.run([BIN, *args], env=env, check=True, capture_output=True, text=True, **kwargs)


def latency(broker, users, workdir):
    api = StandInAPI("--latency-ms", "100")
    env = dict(os.environ, USERSTREAM_BOOTSTRAP_SERVERS=broker.bootstrap)
    topic = f"lat_{uuid.uuid4().hex[:8]}"
    db = f"{workdir}/{topic}.db"
    port = free_port()
    run(["setup", "--topic", topic, "--partitions", "3", "--sink", f"sqlite:{db}"], env)
    stream = subprocess.Popen([BIN, "stream", "--topic", topic, "--group", topic, "--sink", f"sqlite:{db}",
                               "--http", f"127.0.0.1:{port}"], env=env, stderr=subprocess.DEVNULL)
    try:
        produce = ["produce", "--api", api.url, "--topic", topic, "--batch", "1000", "--concurrency", "1"]
        run([*produce, "--count", "5000"], env)  # warm-up: the join and the first fetches
        while stored(db) < 5000:
            time.sleep(0.05)
        before = buckets(f"http://127.0.0.1:{port}/metrics")
        started = time.monotonic()
        run([*produce, "--count", str(users)], env)
        rate = users / (time.monotonic() - started)
        while stored(db) < 5000 + users:
            time.sleep(0.05)
        after = buckets(f"http://127.0.0.1:{port}/metrics")
    finally:
        stream.terminate()
        stream.wait(timeout=60)
        api.stop()
    measured = {bound: after[bound] - before.get(bound, 0) for bound in after}
    return {"users_per_second": round(rate), "p50_ms": round(quantile(measured, 0.5) * 1000, 1),
            "p99_ms": round(quantile(measured, 0.99) * 1000, 1), "histogram": measured}


def start_up(workdir):
    folder = tempfile.mkdtemp(dir=workdir)
    db = Path(folder) / "data" / "users.db"
    started = time.monotonic()
    up = subprocess.Popen([BIN, "up", "--count", "1000"], cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          env=dict(os.environ, USERSTREAM_TANSU=str(tansu_bin())))
    try:
        while stored(db) == 0:
            if up.poll() is not None:
                raise RuntimeError(f"up exited {up.returncode} before storing a user")
            time.sleep(0.005)
        return time.monotonic() - started
    finally:
        up.wait(timeout=120)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "latency.json"))
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        starts = [start_up(workdir) for _ in range(options.repetitions)]
        broker = Broker(schema_registry=False)
        try:
            runs = [latency(broker, options.users, workdir) for _ in range(options.repetitions)]
        finally:
            broker.stop()
    result = {"binary": BIN, "load": os.getloadavg(), "start_up_seconds": [round(s, 3) for s in starts],
              "start_up_median_seconds": round(statistics.median(starts), 3), "latency_runs": runs,
              "p50_ms_median": statistics.median(r["p50_ms"] for r in runs),
              "p99_ms_median": statistics.median(r["p99_ms"] for r in runs)}
    Path(options.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "latency_runs"}, indent=2))
    for r in runs:
        print(f"{r['users_per_second']} users/s  p50 {r['p50_ms']} ms  p99 {r['p99_ms']} ms")


if __name__ == "__main__":
    main()
