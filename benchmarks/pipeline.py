"""End-to-end users/s, stand-in API → Kafka → SQLite: userstream against a Python reference
pipeline (urllib + json + kafka-python + sqlite3) doing the same work, on one Tansu broker,
in one run. Also the stream processor's resident memory while it works.

For each pipeline: a fresh topic (3 partitions), the consumer started first, then the producer;
the clock runs from the producer's start until the last user is in SQLite.

    scripts/setup.sh && swift build -c release --product userstream
    .venv/bin/python benchmarks/pipeline.py [--users 100000] [--repetitions 3]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from pipeline_fixtures import stored_count  # noqa: E402
from processes import Broker, StandInAPI  # noqa: E402

BIN = os.environ.get("USERSTREAM_BIN", str(ROOT / ".build" / "release" / "userstream"))


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


def userstream(bootstrap, api, users, workdir):
    topic = f"users_{uuid.uuid4().hex[:8]}"
    db = f"{workdir}/{topic}.db"
    env = dict(os.environ, USERSTREAM_BOOTSTRAP_SERVERS=bootstrap, USERSTREAM_TOPIC=topic, USERSTREAM_SINK=f"sqlite:{db}")
    subprocess.run([BIN, "setup", "--partitions", "3"], env=env, check=True, capture_output=True)
    consumer = subprocess.Popen([BIN, "stream", "--group", topic], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(3)  # let the member join before the clock starts; joining is measured in the groups benchmark
    start = time.monotonic()
    producer = subprocess.Popen([BIN, "produce", "--api", api, "--count", str(users), "--batch", "5000"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    samples = wait_for(db, users, consumer)
    elapsed = time.monotonic() - start
    producer.wait()
    consumer.terminate()
    consumer.wait()
    delete_topics(bootstrap, topic, topic + ".dlq")
    return elapsed, samples


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


def reference(bootstrap, api, users, workdir):
    topic = f"ref_{uuid.uuid4().hex[:8]}"
    db = f"{workdir}/{topic}.db"
    subprocess.run([BIN, "kafka", "topics", "create", topic, "--partitions", "3"],
                   env=dict(os.environ, USERSTREAM_BOOTSTRAP_SERVERS=bootstrap), check=True, capture_output=True)
    consumer = subprocess.Popen([sys.executable, "-c", REFERENCE_CONSUMER, bootstrap, topic, db])
    time.sleep(3)
    start = time.monotonic()
    producer = subprocess.Popen([sys.executable, "-c", REFERENCE_PRODUCER, bootstrap, topic, api, str(users)])
    samples = wait_for(db, users, consumer, timeout=1800)
    elapsed = time.monotonic() - start
    producer.wait()
    consumer.terminate()
    consumer.wait()
    delete_topics(bootstrap, topic)
    return elapsed, samples


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args()
    assert Path(BIN).exists(), f"{BIN} is missing: swift build -c release --product userstream"
    broker = Broker()
    api = StandInAPI()
    results = {"userstream": [], "python reference": []}
    memory = {"userstream": [], "python reference": []}
    try:
        with tempfile.TemporaryDirectory() as workdir:
            for repetition in range(args.repetitions):
                for name, run in (("userstream", userstream), ("python reference", reference)):
                    elapsed, samples = run(broker.bootstrap, api.url, args.users, workdir)
                    results[name].append(args.users / elapsed)
                    memory[name].extend(samples)
                    print(f"  {name:17} run {repetition + 1}: {args.users / elapsed:10,.0f} users/s "
                          f"(max RSS {max(samples, default=0) / 1024:.1f} MiB)", flush=True)
    finally:
        api.stop()
        broker.stop()
    print(f"\n{args.users:,} users, stand-in API → Kafka (Tansu) → SQLite, {args.repetitions} repetitions")
    print(f"{'pipeline':17} {'best users/s':>13} {'median users/s':>15} {'consumer RSS median/max MiB':>28}")
    for name in results:
        rss = memory[name] or [0]
        print(f"{name:17} {max(results[name]):13,.0f} {statistics.median(results[name]):15,.0f} "
              f"{statistics.median(rss) / 1024:13.1f} / {max(rss) / 1024:.1f}")
    ratio = statistics.median(results["userstream"]) / statistics.median(results["python reference"])
    print(f"userstream / python reference (medians): {ratio:.1f}x")


if __name__ == "__main__":
    main()
