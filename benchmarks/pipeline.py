"""End-to-end users/s, stand-in API → Kafka → SQLite: userstream against a Python reference
pipeline (urllib + json + kafka-python + sqlite3) doing the same work, on one Tansu broker,
in one run. Also the stream processor's resident memory while it works.

For each pipeline: a fresh topic (3 partitions), the consumer started first, then the producer;
the clock runs from the producer's start until the last user is in SQLite. Every run also reports
the CPU time each process spent (producer, consumer, broker, stand-in API), and one more step
measures what SQLite alone needs to store the same rows (Python's sqlite3 with its C loop, same
schema, upsert and settings as the sink): the share of the two cores no pipeline can avoid.

    scripts/setup.sh && swift build -c release --product userstream
    .venv/bin/python benchmarks/pipeline.py [--users 100000] [--repetitions 3]
"""
import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from pipeline_fixtures import FIELDS, stored_count  # noqa: E402
from processes import Broker, StandInAPI  # noqa: E402

BIN = os.environ.get("USERSTREAM_BIN", str(ROOT / ".build" / "release" / "userstream"))


def cpu_seconds(pid):
    """User + system CPU time of a running process, from /proc."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def reap(process):
    """Waits for a child process and returns the CPU time it used over its life."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime


class SharedProcesses:
    """CPU time the broker and the stand-in API spend during one run."""

    def __init__(self, broker, api):
        self.pids = {"broker": int(broker.pid), "api": api.process.pid}
        self.start = {name: cpu_seconds(pid) for name, pid in self.pids.items()}

    def used(self):
        return {name: cpu_seconds(pid) - self.start[name] for name, pid in self.pids.items()}


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def wait_for(db, users, consumer, timeout=600):
    """Polls the row count until every user is stored; samples the consumer's RSS meanwhile."""
    samples = []
    deadline = time.monotonic() + timeout
    while stored_count(db) < users:
        if consumer.poll() is not None:
            raise SystemExit(f"the consumer exited with {consumer.returncode}")
        if time.monotonic() > deadline:
            raise SystemExit(f"only {stored_count(db)} of {users} users stored after {timeout} s")
        samples.append(rss_kib(consumer.pid))
        time.sleep(0.02)
    return samples


def delete_topics(bootstrap, *topics):
    """Tansu keeps records in memory: dropping each run's topics gives every run the same broker."""
    for topic in topics:
        subprocess.run([BIN, "kafka", "topics", "delete", topic], env=dict(os.environ, USERSTREAM_BOOTSTRAP_SERVERS=bootstrap),
                       check=True, capture_output=True)


def timed_run(broker, api, db, users, consumer_command, producer_command, env=None, quiet=False, timeout=600):
    """Starts the consumer and lets it join, then runs the clock from the producer's start until
    every user is in `db`. Returns the seconds, the consumer's RSS samples and each process's CPU."""
    output = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) if quiet else {}
    consumer = subprocess.Popen(consumer_command, env=env, **output)
    time.sleep(3)  # let the member join before the clock starts; joining is measured in the groups benchmark
    shared = SharedProcesses(broker, api)
    start = time.monotonic()
    producer = subprocess.Popen(producer_command, env=env, **output)
    samples = wait_for(db, users, consumer, timeout)
    elapsed = time.monotonic() - start
    cpu = shared.used()
    cpu["producer"] = reap(producer)
    consumer.terminate()
    cpu["consumer"] = reap(consumer)
    return elapsed, samples, cpu


def userstream(broker, api, users, workdir):
    topic = f"users_{uuid.uuid4().hex[:8]}"
    db = f"{workdir}/{topic}.db"
    env = dict(os.environ, USERSTREAM_BOOTSTRAP_SERVERS=broker.bootstrap, USERSTREAM_TOPIC=topic, USERSTREAM_SINK=f"sqlite:{db}")
    subprocess.run([BIN, "setup", "--partitions", "3"], env=env, check=True, capture_output=True)
    elapsed, samples, cpu = timed_run(
        broker, api, db, users, [BIN, "stream", "--group", topic],
        [BIN, "produce", "--api", api.url, "--count", str(users), "--batch", "5000"], env=env, quiet=True)
    delete_topics(broker.bootstrap, topic, topic + ".dlq")
    return elapsed, samples, cpu, db


REFERENCE_PRODUCER = r'''
import json, sys, urllib.request
from kafka import KafkaProducer
bootstrap, topic, api, users = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5, batch_size=256 * 1024)
sent, page = 0, 1
while sent < users:
    n = min(5000, users - sent)
    with urllib.request.urlopen(f"{api}?results={n}&seed=ref&page={page}") as response:
        results = json.load(response)["results"]
    page += 1
    for r in results:
        loc = r["location"]
        user = {"id": r["login"]["uuid"], "first_name": r["name"]["first"], "last_name": r["name"]["last"],
                "gender": r["gender"],
                "address": f"{loc['street']['number']} {loc['street']['name']}, {loc['city']}, {loc['state']}, {loc['country']}",
                "post_code": str(loc["postcode"]), "email": r["email"], "username": r["login"]["username"],
                "dob": r["dob"]["date"], "registered_date": r["registered"]["date"], "phone": r["phone"],
                "picture": r["picture"]["medium"]}
        producer.send(topic, key=user["id"].encode(), value=json.dumps(user).encode())
    sent += len(results)
producer.flush()
'''

REFERENCE_CONSUMER = r'''
import json, sqlite3, sys
from kafka import KafkaConsumer
bootstrap, topic, db = sys.argv[1], sys.argv[2], sys.argv[3]
fields = ["id", "first_name", "last_name", "gender", "address", "post_code", "email", "username",
          "dob", "registered_date", "phone", "picture"]
connection = sqlite3.connect(db)
connection.execute("PRAGMA journal_mode=WAL")
connection.execute("CREATE TABLE IF NOT EXISTS created_users (id TEXT PRIMARY KEY, "
                   + ", ".join(f"{f} TEXT NOT NULL" for f in fields[1:]) + ")")
connection.commit()
sql = (f"INSERT INTO created_users ({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))}) "
       "ON CONFLICT(id) DO UPDATE SET " + ", ".join(f"{f} = excluded.{f}" for f in fields[1:]))
consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=topic, enable_auto_commit=False,
                         auto_offset_reset="earliest", session_timeout_ms=6000, heartbeat_interval_ms=1000)
while True:
    batches = consumer.poll(timeout_ms=500, max_records=5000)
    rows = []
    for messages in batches.values():
        for m in messages:
            try:
                user = json.loads(m.value)
            except ValueError:
                continue
            if isinstance(user, dict) and all(isinstance(user.get(f), str) for f in fields):
                rows.append([user[f] for f in fields])
    if rows:
        connection.executemany(sql, rows)
        connection.commit()
    if batches:
        consumer.commit()
'''


def reference(broker, api, users, workdir):
    topic = f"ref_{uuid.uuid4().hex[:8]}"
    db = f"{workdir}/{topic}.db"
    subprocess.run([BIN, "kafka", "topics", "create", topic, "--partitions", "3"],
                   env=dict(os.environ, USERSTREAM_BOOTSTRAP_SERVERS=broker.bootstrap), check=True, capture_output=True)
    elapsed, samples, cpu = timed_run(
        broker, api, db, users, [sys.executable, "-c", REFERENCE_CONSUMER, broker.bootstrap, topic, db],
        [sys.executable, "-c", REFERENCE_PRODUCER, broker.bootstrap, topic, api.url, str(users)], timeout=1800)
    delete_topics(broker.bootstrap, topic)
    return elapsed, samples, cpu, db


def sqlite_alone(stored_db, workdir):
    """CPU seconds SQLite itself needs to upsert the rows of `stored_db` into a fresh database,
    in transactions of 5,000 with the sink's table (read from `stored_db`) and settings (WAL,
    synchronous=FULL)."""
    with sqlite3.connect(stored_db) as source:
        rows = source.execute(f"SELECT {', '.join(FIELDS)} FROM created_users").fetchall()
        table = source.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'created_users'").fetchone()[0]
    target = sqlite3.connect(f"{workdir}/alone_{uuid.uuid4().hex[:8]}.db", isolation_level=None)
    target.execute("PRAGMA journal_mode=WAL")
    target.execute("PRAGMA synchronous=FULL")
    target.execute(table)
    sql = (f"INSERT INTO created_users ({', '.join(FIELDS)}) VALUES ({', '.join('?' * len(FIELDS))}) "
           "ON CONFLICT(id) DO UPDATE SET " + ", ".join(f"{f} = excluded.{f}" for f in FIELDS[1:]))
    started = time.process_time()
    for first in range(0, len(rows), 5000):
        target.execute("BEGIN")
        target.executemany(sql, rows[first:first + 5000])
        target.execute("COMMIT")
    used = time.process_time() - started
    target.close()
    return used


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "pipeline.json"))
    args = parser.parse_args()
    assert Path(BIN).exists(), f"{BIN} is missing: swift build -c release --product userstream"
    broker = Broker(schema_registry=False)  # no registry: see kafka_clients.py
    api = StandInAPI()
    names = ("userstream", "python reference")
    results = {name: [] for name in names}
    memory = {name: [] for name in names}
    cpu = {name: [] for name in names}
    alone = []
    per_100k = 100_000 / args.users
    try:
        with tempfile.TemporaryDirectory() as workdir:
            for repetition in range(args.repetitions):
                for name, run in zip(names, (userstream, reference)):
                    elapsed, samples, used, db = run(broker, api, args.users, workdir)
                    results[name].append(args.users / elapsed)
                    memory[name].extend(samples)
                    cpu[name].append(used)
                    print(f"  {name:17} run {repetition + 1}: {args.users / elapsed:10,.0f} users/s "
                          f"(max RSS {max(samples, default=0) / 1024:.1f} MiB; CPU s per 100,000 users: "
                          + ", ".join(f"{process} {seconds * per_100k:.2f}" for process, seconds in used.items()) + ")",
                          flush=True)
                    if name == "userstream":
                        alone.append(sqlite_alone(db, workdir) * per_100k)
    finally:
        api.stop()
        broker.stop()
    processes = ("producer", "consumer", "broker", "api")
    median_cpu = {name: {process: statistics.median(run[process] * per_100k for run in cpu[name]) for process in processes}
                  for name in names}
    print(f"\n{args.users:,} users, stand-in API → Kafka (Tansu) → SQLite, {args.repetitions} repetitions")
    print(f"{'pipeline':17} {'best users/s':>13} {'median users/s':>15} {'consumer RSS median/max MiB':>28}   "
          "CPU s per 100,000 users (median): producer, consumer, broker, API = total")
    for name in names:
        rss = memory[name] or [0]
        print(f"{name:17} {max(results[name]):13,.0f} {statistics.median(results[name]):15,.0f} "
              f"{statistics.median(rss) / 1024:13.1f} / {max(rss) / 1024:.1f}            "
              + ", ".join(f"{median_cpu[name][p]:.2f}" for p in processes) + f" = {sum(median_cpu[name].values()):.2f}")
    reference_median = statistics.median(results["python reference"])
    ratio = statistics.median(results["userstream"]) / reference_median
    print(f"userstream / python reference (medians): {ratio:.1f}x")
    floor = statistics.median(alone)
    budget = os.cpu_count() * 100_000 / (20 * reference_median)
    unavoidable = median_cpu["userstream"]["broker"] + median_cpu["userstream"]["api"] + floor
    print(f"SQLite alone storing the same rows: {floor:.2f} CPU s per 100,000 users (median)")
    print(f"20x the reference ({20 * reference_median:,.0f} users/s) leaves {budget:.2f} CPU s per 100,000 users on "
          f"{os.cpu_count()} cores; broker + stand-in API + SQLite alone use {unavoidable:.2f} of them")
    Path(args.out).write_text(json.dumps({
        "users": args.users, "repetitions": args.repetitions, "cores": os.cpu_count(),
        "users_per_sec": {name: {"best": round(max(results[name])), "median": round(statistics.median(results[name]))}
                          for name in names},
        "consumer_rss_mib": {name: {"median": round(statistics.median(memory[name] or [0]) / 1024, 1),
                                    "max": round(max(memory[name] or [0]) / 1024, 1)} for name in names},
        "cpu_seconds_per_100k_users": {name: {p: round(median_cpu[name][p], 2) for p in processes} for name in names},
        "sqlite_alone_cpu_seconds_per_100k_users": round(floor, 2),
        "ratio_of_medians": round(ratio, 1),
    }, indent=2) + "\n")


if __name__ == "__main__":
    main()
