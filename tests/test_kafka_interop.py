"""The Swift Kafka client against two independent clients on a real broker (Tansu):
what one writes, the others read back exactly — no record lost, duplicated or altered."""
import json

import pytest
from confluent_kafka import Producer as ConfluentProducer
from kafka import KafkaProducer

from kafka_fixtures import (HEADERS, consume_confluent, consume_kafka_python, java_partition,
                            make_records)

CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]
PARTITIONS = 6
SWIFT_RECORDS = 100_000


def create_topic(userstream, topic, partitions=PARTITIONS):
    userstream.run("kafka", "topics", "create", topic, "--partitions", str(partitions))


def swift_consume(userstream, topic, count, *extra):
    out = userstream.run("kafka", "consume", topic, "--from-beginning", "--count", str(count),
                         "--until-idle", "20", *extra).stdout.decode()
    return [json.loads(line) for line in out.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def swift_records():
    return make_records(SWIFT_RECORDS)


@pytest.mark.parametrize("codec", CODECS)
def test_swift_producer_read_by_kafka_python_and_confluent(userstream, broker, swift_records, codec):
    topic = f"swift-{codec}"
    create_topic(userstream, topic)
    stdin = "".join(f"{k}\t{v}\n" for k, v in swift_records).encode()
    headers = [arg for k, v in HEADERS for arg in ("--header", f"{k}={v.decode()}")]
    result = userstream.run("kafka", "produce", topic, "--key-separator", "\t", "--acks", "all",
                            "--compression", codec, *headers, input=stdin)
    assert f"produced {SWIFT_RECORDS} records" in result.stderr.decode()

    expected = {(k, v) for k, v in swift_records}
    for reader in (consume_kafka_python, consume_confluent):
        got = reader(broker.bootstrap, topic, PARTITIONS, SWIFT_RECORDS)
        assert len(got) == SWIFT_RECORDS, f"{reader.__name__}: {len(got)} records"
        assert {(k, v) for _, k, v, _ in got} == expected
        assert all(h == HEADERS for *_, h in got)
        misplaced = [(p, k) for p, k, _, _ in got if p != java_partition(k, PARTITIONS)]
        assert misplaced == [], f"{len(misplaced)} keys not on the Java client's partition"


def kafka_python_produce(bootstrap, topic, records, codec):
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all",
                             compression_type=None if codec == "none" else codec)
    for k, v in records:
        producer.send(topic, key=k.encode(), value=v.encode(), headers=HEADERS)
    producer.flush()
    producer.close()


def confluent_produce(bootstrap, topic, records, codec):
    producer = ConfluentProducer({"bootstrap.servers": bootstrap, "acks": "all",
                                  "compression.type": codec, "partitioner": "murmur2_random",
                                  "enable.idempotence": True})
    failures = []
    for k, v in records:
        while True:
            try:
                producer.produce(topic, key=k.encode(), value=v.encode(), headers=HEADERS,
                                 on_delivery=lambda err, _: err and failures.append(err))
                break
            except BufferError:
                producer.poll(0.1)
    assert producer.flush(60) == 0
    assert failures == []


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("client", ["kafka-python", "confluent-kafka"])
def test_swift_consumer_reads_other_clients(userstream, broker, client, codec):
    topic = f"{client}-{codec}"
    create_topic(userstream, topic)
    records = make_records(20_000, prefix=client)
    produce = kafka_python_produce if client == "kafka-python" else confluent_produce
    produce(broker.bootstrap, topic, records, codec)

    got = swift_consume(userstream, topic, len(records))
    assert len(got) == len(records)
    assert {(r["key"], r["value"]) for r in got} == set(records)
    assert all([tuple(h) for h in r["headers"]] == [(k, v.decode()) for k, v in HEADERS] for r in got)
    assert all(r["partition"] == java_partition(r["key"], PARTITIONS) for r in got)
    # Offsets are dense per partition: nothing skipped, nothing twice.
    for p in range(PARTITIONS):
        offsets = sorted(r["offset"] for r in got if r["partition"] == p)
        assert offsets == list(range(len(offsets)))


def test_topic_created_while_producer_runs(userstream, broker):
    """Records for a topic that appears mid-run are delivered once it exists."""
    import subprocess
    first = make_records(1000, prefix="early")
    proc = subprocess.Popen([str(userstream.bin), "kafka", "produce", "late-topic",
                             "--key-separator", "\t"], stdin=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=userstream.env)
    proc.stdin.write("".join(f"{k}\t{v}\n" for k, v in first).encode())
    proc.stdin.flush()
    create_topic(userstream, "late-topic", partitions=3)
    proc.stdin.close()
    assert proc.wait(timeout=120) == 0, proc.stderr.read().decode()
    got = consume_kafka_python(broker.bootstrap, "late-topic", 3, len(first))
    assert sorted(k for _, k, _, _ in got) == sorted(k for k, _ in first)


def test_producing_to_missing_topic_fails_clearly(userstream):
    result = userstream.run("kafka", "produce", "no-such-topic", input=b"hello\n", check=False)
    assert result.returncode != 0
    err = result.stderr.decode()
    assert "no-such-topic" in err and "does not exist" in err, err
