"""How the stream processor's cost grows with the SQLite table it writes to: loads of 100,000
users, one after another, into the same database; for each load, the CPU time `stream` spends
storing it. Random ids land all over the table's primary-key index, so each insert touches more
distinct pages as the table grows.

    scripts/setup.sh && swift build -c release --product userstream
    .venv/bin/python benchmarks/sink_growth.py [--loads 5]
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from processes import Broker, StandInAPI  # noqa: E402
from pipeline import BIN, delete_topics  # noqa: E402

LOAD = 100_000


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()
    assert Path(BIN).exists(), f"{BIN} is missing: swift build -c release --product userstream"
    broker = Broker(schema_registry=False)  # no registry: see kafka_clients.py
    api = StandInAPI()
    try:
        with tempfile.TemporaryDirectory() as workdir:
            sink = f"sqlite:{workdir}/users.db"
            print(f"{'rows before':>11}  {'stream CPU s per 100,000 users':>30}")
            for load in range(args.loads):
                topic = f"growth_{uuid.uuid4().hex[:8]}"
                env = dict(os.environ, USERSTREAM_BOOTSTRAP_SERVERS=broker.bootstrap, USERSTREAM_TOPIC=topic,
                           USERSTREAM_SINK=sink)
                subprocess.run([BIN, "setup", "--partitions", "3"], env=env, check=True, capture_output=True)
                subprocess.run([BIN, "produce", "--api", api.url, "--count", str(LOAD), "--batch", "5000"],
                               env=env, check=True, capture_output=True)
                before = children_cpu()
                subprocess.run([BIN, "stream", "--group", topic, "--until-idle", "1"], env=env, check=True, capture_output=True)
                print(f"{load * LOAD:11,}  {children_cpu() - before:30.2f}", flush=True)
                delete_topics(broker.bootstrap, topic, topic + ".dlq")
    finally:
        api.stop()
        broker.stop()


if __name__ == "__main__":
    main()
