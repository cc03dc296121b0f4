"""Records and reading helpers shared by the Kafka cross-client tests."""
import json
import signal
import threading
import time

from kafka import KafkaConsumer, TopicPartition
from kafka.partitioner.default import murmur2

from processes import Process, wait_until

HEADERS = [("source", b"userstream-test"), ("schema", b"user/v1")]


def make_records(n: int, prefix: str = "user"):
    """n keyed records whose values are 600-byte JSON objects."""
    records = []
    for i in range(n):
        body = {"id": f"{prefix}-{i}", "first_name": "Zoë", "seq": i, "pad": ""}
        raw = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        body["pad"] = "x" * (600 - len(raw.encode()))
        value = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        assert len(value.encode()) == 600
        records.append((f"{prefix}-{i}", value))
    return records


def java_partition(key: str, partitions: int) -> int:
    """The partition the Java client's default partitioner picks for a key."""
    return (murmur2(key.encode()) & 0x7FFFFFFF) % partitions


def consume_kafka_python(bootstrap, topic, partitions, expected, deadline_s=300):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             consumer_timeout_ms=2000, max_partition_fetch_bytes=4 << 20)
    tps = [TopicPartition(topic, p) for p in range(partitions)]
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    got = []
    deadline = time.monotonic() + deadline_s
    while len(got) < expected and time.monotonic() < deadline:
        for msg in consumer:
            got.append((msg.partition, msg.key.decode() if msg.key is not None else None,
                        msg.value.decode(), [(k, v) for k, v in msg.headers]))
            if len(got) >= expected:
                break
    # One more short poll: anything beyond `expected` would be a duplicate.
    extra = consumer.poll(timeout_ms=500)
    got.extend((tp.partition, m.key.decode(), m.value.decode(), list(m.headers))
               for tp, msgs in extra.items() for m in msgs)
    consumer.close()
    return got


def consume_confluent(bootstrap, topic, partitions, expected, deadline_s=300):
    from confluent_kafka import Consumer, TopicPartition as CTP, OFFSET_BEGINNING
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"check-{topic}",
                         "enable.auto.commit": False, "auto.offset.reset": "earliest"})
    consumer.assign([CTP(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
    got = []
    deadline = time.monotonic() + deadline_s
    idle_polls = 0
    while time.monotonic() < deadline and (len(got) < expected or idle_polls < 1):
        msgs = consumer.consume(num_messages=10000, timeout=1.0)
        if not msgs:
            idle_polls += 1 if len(got) >= expected else 0
            continue
        for m in msgs:
            assert m.error() is None, m.error()
            got.append((m.partition(), m.key().decode() if m.key() is not None else None,
                        m.value().decode(), [(k, v) for k, v in (m.headers() or [])]))
    consumer.close()
    return got


class SwiftGroupMember(Process):
    """A `userstream kafka consume --group` process; its stdout (records as JSON lines) and
    stderr ("assigned:", "revoked:", "committed:" lines) are followed as they come. All members
    share one condition, so a wait can depend on several of them."""

    shared = threading.Condition()

    def __init__(self, userstream, topic, group, *extra, session_timeout=3.0):
        self.records, self.owned, self.committed = [], set(), {}
        super().__init__([userstream.bin, "kafka", "consume", topic, "--group", group, "--from-beginning",
                          "--session-timeout", str(session_timeout), "--heartbeat-interval", str(session_timeout / 10),
                          "--log-commits", *extra], userstream.env, name=f"group member of {group}", changed=self.shared)

    @staticmethod
    def _partitions(text):
        return {int(tp.rsplit("-", 1)[1]) for tp in text.split(",") if tp}

    def heard(self, line, from_stderr):
        line = line.rstrip("\n")
        if not from_stderr:
            self.records.append(json.loads(line))
        elif line.startswith("assigned: "):
            self.owned = self._partitions(line[len("assigned: "):])
        elif line.startswith("revoked: "):
            self.owned = set()
        elif line.startswith("committed: "):
            for entry in line[len("committed: "):].split(","):
                tp, offset = entry.rsplit("@", 1)
                self.committed[int(tp.rsplit("-", 1)[1])] = int(offset)

    def wait_for(self, condition, what, timeout=60):
        """Waits (on output events, not a fixed time) until condition(self) holds."""
        wait_until(lambda: condition(self), what, timeout, alive=[self], changed=self.changed)

    def stop(self, sig=signal.SIGTERM):
        """SIGTERM (a graceful leave) by default; returns the exit code."""
        return self.kill(sig, 60)
