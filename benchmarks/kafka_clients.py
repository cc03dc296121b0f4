"""Producer and consumer cost: userstream's Swift client against kcat (librdkafka, the C anchor),
confluent-kafka and kafka-python, on one Tansu broker, in one run.

Each client produces the same keyed 600-byte JSON records (acks=all; idempotent where the
client supports it) to its own 6-partition topic, then consumes them back. For each, two figures:
records/s (wall clock) and CPU seconds per 100,000 records (user + system of the client process:
the child's rusage for userstream and kcat, the difference in this process's rusage for the
in-process Python clients). Consuming writes JSON lines for userstream (`kafka consume`) and kcat
(`-J`), to /dev/null; the Python clients decode records. Every repetition runs each client in
turn (alternating), once without compression and once with lz4; medians are reported. Each
repetition also runs two userstream producers at once on half the records each, to show how much
the broker itself takes on this machine.

The broker runs without the file schema registry (`tansu.sh start --no-schema-registry`): with
it, Tansu spends about 4 CPU s per 100,000 records produced even to topics it does not
validate (0.2 without), and caps producing near 25,000 records/s. That cost is the broker's,
so these benchmarks leave it out; `userstream up` pays it for its contract.

kcat comes from Debian; Debian's librdkafka 2.0.2 cannot talk to Tansu, so kcat runs on the
librdkafka that confluent-kafka's wheel ships (a `librdkafka.so.1` link in a temporary folder on
LD_LIBRARY_PATH).

    scripts/setup.sh && apt-get install -y kcat && swift build -c release --product userstream
    .venv/bin/python benchmarks/kafka_clients.py [--records 200000] [--repetitions 3] [--clients "userstream (Swift),kcat (librdkafka)"]

USERSTREAM_BIN picks another userstream binary (e.g. .build-release/release/userstream). Each
client's line and the summary note the 1-minute load average: the CPU figures move with it.
"""
import argparse
import json
import os
import resource
import shutil
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

import confluent_kafka  # noqa: E402
from confluent_kafka import Consumer, OFFSET_BEGINNING, Producer, TopicPartition as CTP  # noqa: E402
from kafka import KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402

PARTITIONS = 6
COMPRESSIONS = ("none", "lz4")


def swift_bin():
    return os.environ.get("USERSTREAM_BIN", str(ROOT / ".build" / "release" / "userstream"))


def swift(bootstrap, *args):
    env = dict(os.environ, USERSTREAM_BOOTSTRAP_SERVERS=bootstrap)
    return subprocess.run([swift_bin(), *args], capture_output=True, env=env, check=True)


def create_topic(bootstrap, topic):
    swift(bootstrap, "kafka", "topics", "create", topic, "--partitions", str(PARTITIONS))


def delete_topic(bootstrap, topic):
    """Tansu keeps records in memory: dropping each topic after use gives every client the same broker."""
    swift(bootstrap, "kafka", "topics", "delete", topic)


def kcat_library_dir(workdir):
    """A folder holding `librdkafka.so.1` → the library in confluent-kafka's wheel."""
    libs = Path(confluent_kafka.__file__).parent.parent / "confluent_kafka.libs"
    library = next(libs.glob("librdkafka-*.so.1"))
    folder = Path(workdir) / "librdkafka"
    folder.mkdir(exist_ok=True)
    link = folder / "librdkafka.so.1"
    if not link.exists():
        link.symlink_to(library)
    return folder


class Measured:
    """Wall time and CPU (user + system) of one piece of client work."""

    def __init__(self, elapsed, cpu):
        self.elapsed, self.cpu = elapsed, cpu


def run_child(argv, stdin_path=None, env=None, expect=None):
    """Runs a client as a child process and reads its own CPU time from wait4's rusage."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    err = tempfile.TemporaryFile()
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.DEVNULL, stderr=err, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if stdin_path:
        stdin.close()
    err.seek(0)
    message = err.read().decode(errors="replace")
    assert child.returncode == 0, f"{argv[0]} exited {child.returncode}: {message[-2000:]}"
    if expect:
        assert expect in message, message[-2000:]
    return Measured(elapsed, usage.ru_utime + usage.ru_stime)


def in_process(work):
    """Times work done by a client library inside this process (its threads included)."""
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    work()
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    return Measured(elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))


class Job:
    """What every client is given: the broker, its topic, the records and their kcat-style input file."""

    def __init__(self, bootstrap, topic, records, input_path, compression, library_dir):
        self.bootstrap, self.topic, self.records = bootstrap, topic, records
        self.input_path, self.compression, self.library_dir = input_path, compression, library_dir

    def kcat_env(self):
        return dict(os.environ, LD_LIBRARY_PATH=str(self.library_dir))


def produce_swift(job):
    env = dict(os.environ, USERSTREAM_BOOTSTRAP_SERVERS=job.bootstrap)
    return run_child([swift_bin(), "kafka", "produce", job.topic, "--key-separator", "\t", "--acks", "all",
                      "--compression", job.compression],
                     stdin_path=job.input_path, env=env, expect=f"produced {len(job.records)} records")


def consume_swift(job):
    env = dict(os.environ, USERSTREAM_BOOTSTRAP_SERVERS=job.bootstrap)
    return run_child([swift_bin(), "kafka", "consume", job.topic, "--from-beginning",
                      "--count", str(len(job.records))], env=env)


def produce_kcat(job):
    return run_child(["kcat", "-P", "-b", job.bootstrap, "-t", job.topic, "-K", "\t",
                      "-X", "acks=all", "-X", "enable.idempotence=true", "-X", "linger.ms=5",
                      "-X", "partitioner=murmur2_random", "-z", job.compression],
                     stdin_path=job.input_path, env=job.kcat_env())


def consume_kcat(job):
    return run_child(["kcat", "-C", "-J", "-b", job.bootstrap, "-t", job.topic, "-o", "beginning",
                      "-c", str(len(job.records)), "-q"], env=job.kcat_env())


def produce_confluent(job):
    producer = Producer({"bootstrap.servers": job.bootstrap, "acks": "all", "linger.ms": 5,
                         "partitioner": "murmur2_random", "enable.idempotence": True,
                         "compression.type": job.compression,
                         "queue.buffering.max.messages": 1_000_000})
    payload = [(k.encode(), v.encode()) for k, v in job.records]

    def work():
        for k, v in payload:
            while True:
                try:
                    producer.produce(job.topic, key=k, value=v)
                    break
                except BufferError:
                    producer.poll(0.01)
        assert producer.flush(120) == 0
    return in_process(work)


def consume_confluent(job):
    consumer = Consumer({"bootstrap.servers": job.bootstrap, "group.id": "bench-" + job.topic,
                         "enable.auto.commit": False})
    consumer.assign([CTP(job.topic, p, OFFSET_BEGINNING) for p in range(PARTITIONS)])

    def work():
        seen = 0
        while seen < len(job.records):
            seen += sum(1 for m in consumer.consume(num_messages=100_000, timeout=1.0) if m.error() is None)
    measured = in_process(work)
    consumer.close()
    return measured


def produce_kafka_python(job):
    producer = KafkaProducer(bootstrap_servers=job.bootstrap, acks="all", linger_ms=5, batch_size=1 << 20,
                             compression_type=None if job.compression == "none" else job.compression)
    payload = [(k.encode(), v.encode()) for k, v in job.records]

    def work():
        for k, v in payload:
            producer.send(job.topic, key=k, value=v)
        producer.flush()
    measured = in_process(work)
    producer.close()
    return measured


def consume_kafka_python(job):
    consumer = KafkaConsumer(bootstrap_servers=job.bootstrap, enable_auto_commit=False,
                             fetch_max_bytes=64 << 20, max_partition_fetch_bytes=8 << 20)
    tps = [TopicPartition(job.topic, p) for p in range(PARTITIONS)]
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)

    def work():
        seen = 0
        while seen < len(job.records):
            for msgs in consumer.poll(timeout_ms=1000, max_records=100_000).values():
                seen += len(msgs)
    measured = in_process(work)
    consumer.close()
    return measured


CLIENTS = {
    "userstream (Swift)": (produce_swift, consume_swift),
    "kcat (librdkafka)": (produce_kcat, consume_kcat),
    "confluent-kafka": (produce_confluent, consume_confluent),
    "kafka-python": (produce_kafka_python, consume_kafka_python),
}


def produce_swift_pair(bootstrap, topic, records, workdir):
    """Two userstream producers at once, half the records each, into one topic: how much the broker
    takes when one client is not the limit. Reported beside the clients, not compared with them."""
    env = dict(os.environ, USERSTREAM_BOOTSTRAP_SERVERS=bootstrap)
    halves = []
    for i, part in enumerate((records[:len(records) // 2], records[len(records) // 2:])):
        path = Path(workdir) / f"half{i}"
        path.write_bytes("".join(f"{k}\t{v}\n" for k, v in part).encode())
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


def median_row(samples, n):
    """records/s and CPU seconds per 100,000 records, each the median over the repetitions."""
    return {"records_per_sec": n / statistics.median(s.elapsed for s in samples),
            "cpu_s_per_100k": statistics.median(s.cpu for s in samples) * 100_000 / n}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "kafka_clients.json"))
    parser.add_argument("--clients", default=",".join(CLIENTS),
                        help="comma-separated subset of: " + ", ".join(CLIENTS) + " (userstream and kcat are always kept)")
    args = parser.parse_args()
    wanted = {name.strip() for name in args.clients.split(",")} | {"userstream (Swift)", "kcat (librdkafka)"}
    unknown = wanted - set(CLIENTS)
    if unknown:
        sys.exit(f"kafka_clients: unknown clients {sorted(unknown)}")
    clients = {name: fns for name, fns in CLIENTS.items() if name in wanted}
    if shutil.which("kcat") is None:
        sys.exit("kafka_clients: kcat is missing — install Debian's kcat (apt-get install kcat)")

    records = make_records(args.records, prefix="bench")
    samples = {(name, op, c): [] for name in clients for op in ("produce", "consume") for c in COMPRESSIONS}
    ceiling = []
    loads = []  # 1-minute load average after each client's turn: these machines are shared
    broker = Broker(schema_registry=False)
    bootstrap = broker.bootstrap
    with tempfile.TemporaryDirectory() as workdir:
        input_path = Path(workdir) / "records.tsv"
        input_path.write_bytes("".join(f"{k}\t{v}\n" for k, v in records).encode())
        library_dir = kcat_library_dir(workdir)
        try:
            for rep in range(args.repetitions):
                for compression in COMPRESSIONS:
                    for i, (name, (produce, consume)) in enumerate(clients.items()):
                        topic = f"bench-{rep}-{compression}-{i}"
                        create_topic(bootstrap, topic)
                        job = Job(bootstrap, topic, records, input_path, compression, library_dir)
                        p, c = produce(job), consume(job)
                        delete_topic(bootstrap, topic)
                        samples[(name, "produce", compression)].append(p)
                        samples[(name, "consume", compression)].append(c)
                        print(f"rep {rep + 1} {compression:4} {name}: produce {args.records / p.elapsed:,.0f}/s "
                              f"{p.cpu * 100_000 / args.records:.2f} CPU-s/100k; consume "
                              f"{args.records / c.elapsed:,.0f}/s {c.cpu * 100_000 / args.records:.2f} CPU-s/100k "
                              f"(load {os.getloadavg()[0]:.2f})", flush=True)
                        loads.append(os.getloadavg()[0])
                topic = f"bench-{rep}-pair"
                create_topic(bootstrap, topic)
                ceiling.append(produce_swift_pair(bootstrap, topic, records, workdir))
                delete_topic(bootstrap, topic)
                print(f"rep {rep + 1} two userstream producers at once: {args.records / ceiling[-1]:,.0f}/s together",
                      flush=True)
        finally:
            broker.stop()

    summary = {f"{name} {op} {c}": median_row(s, args.records) for (name, op, c), s in samples.items()}
    print(f"\n{args.records:,} records x 600 B, acks=all, medians of {args.repetitions} repetitions")
    print("| client | operation | compression | records/s | CPU s per 100k records |")
    print("|---|---|---|---:|---:|")
    for (name, op, c) in samples:
        row = summary[f"{name} {op} {c}"]
        print(f"| {name} | {op} | {c} | {row['records_per_sec']:,.0f} | {row['cpu_s_per_100k']:.2f} |")
    anchor = "kcat (librdkafka)"
    ratios = {f"{op} {c}": {
        "cpu_vs_kcat": summary[f"userstream (Swift) {op} {c}"]["cpu_s_per_100k"] / summary[f"{anchor} {op} {c}"]["cpu_s_per_100k"],
        "speed_vs_kcat": summary[f"userstream (Swift) {op} {c}"]["records_per_sec"] / summary[f"{anchor} {op} {c}"]["records_per_sec"],
    } for op in ("produce", "consume") for c in COMPRESSIONS}
    print("\nuserstream against kcat (CPU per record; records/s): " + ", ".join(
        f"{k} {v['cpu_vs_kcat']:.2f}x CPU, {v['speed_vs_kcat']:.2f}x speed" for k, v in ratios.items()))
    broker = {"median": args.records / statistics.median(ceiling)}
    print(f"1-minute load average during the run: min {min(loads):.2f}, median {statistics.median(loads):.2f}, "
          f"max {max(loads):.2f} on {os.cpu_count()} CPUs")
    print(f"broker ceiling, two userstream producers at once: median {broker['median']:,.0f}/s")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({
        "records": args.records, "repetitions": args.repetitions, "medians": summary, "vs_kcat": ratios,
        "two_userstream_producers_per_sec": broker,
        "load_average_1min": {"min": min(loads), "median": statistics.median(loads), "max": max(loads)},
        "samples": {f"{n} {o} {c}": [{"elapsed_s": s.elapsed, "cpu_s": s.cpu} for s in v]
                    for (n, o, c), v in samples.items()},
    }, indent=2))


if __name__ == "__main__":
    main()
