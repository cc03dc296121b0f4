"""Producer and consumer throughput: userstream's Swift client against kafka-python and
confluent-kafka, on one Tansu broker, in one run.

Each client produces the same 200,000 keyed 600-byte JSON records with acks=all to its
own 6-partition topic, then consumes them back (records decoded, values untouched).
Three repetitions; min and median of the elapsed time are reported as records/s. Each
repetition also runs two userstream producers at once on half the records each, to show how
much the broker itself takes on this machine.

    scripts/setup.sh && swift build -c release --product userstream
    .venv/bin/python benchmarks/kafka_clients.py [--records 200000] [--repetitions 3]
"""
import argparse
import json
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

from confluent_kafka import Consumer, OFFSET_BEGINNING, Producer, TopicPartition as CTP  # noqa: E402
from kafka import KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402

PARTITIONS = 6


def swift_bin():
    return os.environ.get("USERSTREAM_BIN", str(ROOT / ".build" / "release" / "userstream"))


def swift(bootstrap, *args, stdin=None):
    env = dict(os.environ, USERSTREAM_BOOTSTRAP_SERVERS=bootstrap)
    result = subprocess.run([swift_bin(), *args], input=stdin, capture_output=True, env=env, check=True)
    return result.stdout.decode(), result.stderr.decode()


def create_topic(bootstrap, topic):
    swift(bootstrap, "kafka", "topics", "create", topic, "--partitions", str(PARTITIONS))


def delete_topic(bootstrap, topic):
    """Tansu keeps records in memory: dropping each topic after use gives every client the same broker."""
    swift(bootstrap, "kafka", "topics", "delete", topic)


def produce_swift(bootstrap, topic, records, stdin):
    start = time.perf_counter()
    _, err = swift(bootstrap, "kafka", "produce", topic, "--key-separator", "\t", "--acks", "all",
                   stdin=stdin)
    elapsed = time.perf_counter() - start
    assert f"produced {len(records)} records" in err, err
    return elapsed


def produce_swift_pair(bootstrap, topic, records, stdin):
    """Two userstream producers at once, half the records each, into one topic: how much the broker
    takes when one client is not the limit. Reported beside the clients, not compared with them."""
    lines = stdin.splitlines(keepends=True)
    env = dict(os.environ, USERSTREAM_BOOTSTRAP_SERVERS=bootstrap)
    with tempfile.TemporaryDirectory() as workdir:
        halves = []
        for i, part in enumerate((lines[:len(lines) // 2], lines[len(lines) // 2:])):
            path = Path(workdir) / f"half{i}"
            path.write_bytes(b"".join(part))
            halves.append(path)
        files = [path.open("rb") for path in halves]
        start = time.perf_counter()
        producers = [subprocess.Popen([swift_bin(), "kafka", "produce", topic, "--key-separator", "\t", "--acks", "all"],
                                      stdin=f, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env) for f in files]
        outcomes = [p.communicate()[1].decode() for p in producers]
        elapsed = time.perf_counter() - start
        for f in files:
            f.close()
    assert all(p.returncode == 0 for p in producers), outcomes
    return elapsed


def produce_kafka_python(bootstrap, topic, records, _):
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5,
                             batch_size=1 << 20)
    payload = [(k.encode(), v.encode()) for k, v in records]
    start = time.perf_counter()
    for k, v in payload:
        producer.send(topic, key=k, value=v)
    producer.flush()
    elapsed = time.perf_counter() - start
    producer.close()
    return elapsed


def produce_confluent(bootstrap, topic, records, _):
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5,
                         "partitioner": "murmur2_random", "enable.idempotence": True,
                         "queue.buffering.max.messages": 1_000_000})
    payload = [(k.encode(), v.encode()) for k, v in records]
    start = time.perf_counter()
    for k, v in payload:
        while True:
            try:
                producer.produce(topic, key=k, value=v)
                break
            except BufferError:
                producer.poll(0.01)
    assert producer.flush(120) == 0
    return time.perf_counter() - start


def consume_swift(bootstrap, topic, n):
    start = time.perf_counter()
    out, _ = swift(bootstrap, "kafka", "perf", "consume", topic, "--records", str(n))
    elapsed = time.perf_counter() - start
    assert json.loads(out.strip().splitlines()[-1])["records"] == n
    return elapsed


def consume_kafka_python(bootstrap, topic, n):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             fetch_max_bytes=64 << 20, max_partition_fetch_bytes=8 << 20)
    tps = [TopicPartition(topic, p) for p in range(PARTITIONS)]
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    seen = 0
    start = time.perf_counter()
    while seen < n:
        for msgs in consumer.poll(timeout_ms=1000, max_records=100_000).values():
            seen += len(msgs)
    elapsed = time.perf_counter() - start
    consumer.close()
    return elapsed


def consume_confluent(bootstrap, topic, n):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench-" + topic,
                         "enable.auto.commit": False})
    consumer.assign([CTP(topic, p, OFFSET_BEGINNING) for p in range(PARTITIONS)])
    seen = 0
    start = time.perf_counter()
    while seen < n:
        seen += sum(1 for m in consumer.consume(num_messages=100_000, timeout=1.0) if m.error() is None)
    elapsed = time.perf_counter() - start
    consumer.close()
    return elapsed


CLIENTS = {
    "userstream (Swift)": (produce_swift, consume_swift),
    "kafka-python": (produce_kafka_python, consume_kafka_python),
    "confluent-kafka": (produce_confluent, consume_confluent),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "kafka_clients.json"))
    args = parser.parse_args()

    records = make_records(args.records, prefix="bench")
    stdin = "".join(f"{k}\t{v}\n" for k, v in records).encode()
    started = subprocess.run([str(ROOT / "scripts" / "tansu.sh"), "start"], check=True,
                             capture_output=True, text=True).stdout.split()
    bootstrap, pid = started
    timings = {name: {"produce": [], "consume": []} for name in CLIENTS}
    ceiling = []
    try:
        for rep in range(args.repetitions):
            for i, (name, (produce, consume)) in enumerate(CLIENTS.items()):
                topic = f"bench-{rep}-{i}"
                create_topic(bootstrap, topic)
                timings[name]["produce"].append(produce(bootstrap, topic, records, stdin))
                timings[name]["consume"].append(consume(bootstrap, topic, args.records))
                delete_topic(bootstrap, topic)
                print(f"rep {rep + 1} {name}: produce {args.records / timings[name]['produce'][-1]:,.0f}/s"
                      f" consume {args.records / timings[name]['consume'][-1]:,.0f}/s", flush=True)
            topic = f"bench-{rep}-pair"
            create_topic(bootstrap, topic)
            ceiling.append(produce_swift_pair(bootstrap, topic, records, stdin))
            delete_topic(bootstrap, topic)
            print(f"rep {rep + 1} two userstream producers at once: {args.records / ceiling[-1]:,.0f}/s together", flush=True)
    finally:
        subprocess.run([str(ROOT / "scripts" / "tansu.sh"), "stop", pid])

    summary = {}
    print(f"\n{args.records:,} records x 600 B, acks=all, {args.repetitions} repetitions (records/s)")
    print("| client | produce best | produce median | consume best | consume median |")
    print("|---|---:|---:|---:|---:|")
    for name, t in timings.items():
        row = {op: {"best": args.records / min(v), "median": args.records / statistics.median(v)}
               for op, v in t.items()}
        summary[name] = row
        print(f"| {name} | {row['produce']['best']:,.0f} | {row['produce']['median']:,.0f} | "
              f"{row['consume']['best']:,.0f} | {row['consume']['median']:,.0f} |")
    swift_row, kp, ck = (summary[n] for n in CLIENTS)
    ratios = {
        "produce_vs_kafka_python": swift_row["produce"]["median"] / kp["produce"]["median"],
        "produce_vs_confluent": swift_row["produce"]["median"] / ck["produce"]["median"],
        "consume_vs_kafka_python": swift_row["consume"]["median"] / kp["consume"]["median"],
        "consume_vs_confluent": swift_row["consume"]["median"] / ck["consume"]["median"],
    }
    print("\nmedian ratios: " + ", ".join(f"{k} {v:.1f}x" for k, v in ratios.items()))
    broker = {"best": args.records / min(ceiling), "median": args.records / statistics.median(ceiling)}
    print(f"broker ceiling, two userstream producers at once: best {broker['best']:,.0f}/s, median {broker['median']:,.0f}/s")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"records": args.records, "repetitions": args.repetitions,
                                          "records_per_sec": summary, "ratios": ratios,
                                          "two_userstream_producers_per_sec": broker,
                                          "timings_s": timings, "two_userstream_producers_s": ceiling}, indent=2))


if __name__ == "__main__":
    main()
