"""`userstream kafka groups reset` on a real broker (Tansu): a dry run changes nothing, an applied
reset makes the group process exactly the counted records again, a reset by time picks the first
record written at or after it, and groups of kafka-python and confluent-kafka resume from the new
offsets. A group with live members, a missing group and bad --to values are refused."""
import json
import signal
from datetime import datetime, timezone

import pytest
from kafka import KafkaConsumer, KafkaProducer

from pipeline_fixtures import summary
from processes import wait_until

# Tansu joins promptly only with a session timeout of at most 6 s.
SESSION_TIMEOUT_MS = 6000


def committed(userstream, group, topic):
    """The group's committed offset per partition (None where it has none)."""
    report = json.loads(userstream.run("kafka", "groups", group, "--topic", topic, "--json").stdout)
    return {entry["partition"]: entry.get("committedOffset") for entry in report["lag"][topic]}


def members(userstream, group, topic):
    return json.loads(userstream.run("kafka", "groups", group, "--topic", topic, "--json").stdout)["group"]["members"]


def test_dry_run_changes_nothing_and_apply_reprocesses_exactly_the_counted_records(userstream, broker, api, tmp_path):
    """The README's walk: the stream's own group on the users topic (both defaults), by DURATION-ago.
    The first pass is a kafka-python member of that group: a `stream` that led its group does not
    leave it, and Tansu 0.6 lists such a member until another one joins (see the README)."""
    sink = f"sqlite:{tmp_path / 'users.db'}"
    userstream.run("setup", "--sink", sink)
    assert summary(userstream.run("produce", "--api", api, "--count", "40"))["published"] == "40"
    assert len(read_all_kafka_python(broker, "users_created", "userstream", 40)) == 40
    before = committed(userstream, "userstream", "users_created")
    assert sum(before.values()) == 40

    dry = userstream.run("kafka", "groups", "reset", "userstream", "--to", "1h-ago", "--dry-run")
    out = dry.stdout.decode()
    assert summary(dry) == {"group": "userstream", "topic": "users_created", "partitions": "3", "reprocess": "40",
                            "skip": "0", "applied": "no"}, out
    rows = [line.split() for line in out.splitlines() if line[:1].isdigit()]
    assert [(int(r[0]), int(r[1]), int(r[2]), int(r[3])) for r in rows] == [(p, o, 0, o) for p, o in sorted(before.items())], out
    assert "dry run" in out and "total" in out
    assert committed(userstream, "userstream", "users_created") == before

    applied = userstream.run("kafka", "groups", "reset", "userstream", "--to", "1h-ago")
    assert summary(applied)["applied"] == "yes" and summary(applied)["reprocess"] == "40", applied.stdout.decode()
    assert "committed now:" in applied.stdout.decode()
    assert committed(userstream, "userstream", "users_created") == {p: 0 for p in before}

    again = summary(userstream.run("stream", "--until-idle", "5", "--sink", sink))
    assert again["consumed"] == "40", again
    assert committed(userstream, "userstream", "users_created") == before


BASE_MS = 1_700_000_000_000  # 2023-11-14T22:13:20Z


def produce_timed(broker, topic):
    """Ten records on two partitions, record i written at BASE + i s (partition i % 2)."""
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
    for i in range(10):
        producer.send(topic, key=f"k{i}".encode(), value=f"v{i}".encode(), partition=i % 2, timestamp_ms=BASE_MS + i * 1000)
    producer.flush()
    producer.close()


def iso(ms):
    return datetime.fromtimestamp(ms / 1000, timezone.utc).isoformat().replace("+00:00", "Z")


def read_all_kafka_python(broker, topic, group, expected):
    """Joins `group`, reads until `expected` records came and one more poll brings none, commits, leaves."""
    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=group, enable_auto_commit=False,
                             auto_offset_reset="earliest", session_timeout_ms=SESSION_TIMEOUT_MS, heartbeat_interval_ms=500)
    consumer.subscribe([topic])
    got = []

    def polled():
        for msgs in consumer.poll(timeout_ms=200).values():  # the poll is the pause
            got.extend(m.value.decode() for m in msgs)
        return len(got) >= expected

    wait_until(polled, f"{expected} records in kafka-python group {group}", 120, interval=0)
    got.extend(m.value.decode() for msgs in consumer.poll(timeout_ms=1000).values() for m in msgs)
    consumer.commit()
    consumer.close()
    return sorted(got)


def read_all_confluent(broker, topic, group, expected):
    from confluent_kafka import Consumer
    consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": group, "enable.auto.commit": False,
                         "auto.offset.reset": "earliest", "session.timeout.ms": SESSION_TIMEOUT_MS})
    consumer.subscribe([topic])
    got = []

    def polled():
        message = consumer.poll(0.2)  # the poll is the pause
        if message is not None and message.error() is None:
            got.append(message.value().decode())
        return len(got) >= expected

    wait_until(polled, f"{expected} records in confluent-kafka group {group}", 120, interval=0)
    while (message := consumer.poll(1.0)) is not None:
        got.append(message.value().decode())
    consumer.commit(asynchronous=False)
    consumer.close()
    return sorted(got)


READERS = {"kafka-python": read_all_kafka_python, "confluent-kafka": read_all_confluent}


@pytest.mark.parametrize("client", READERS)
def test_a_clients_group_reset_by_time_resumes_at_the_first_record_written_at_or_after_it(userstream, broker, client):
    topic, group = f"reset-timed-{client}", f"reset-timed-{client}"
    userstream.run("kafka", "topics", "create", topic, "--partitions", "2")
    produce_timed(broker, topic)
    read = READERS[client]
    assert read(broker, topic, group, 10) == sorted(f"v{i}" for i in range(10))
    assert committed(userstream, group, topic) == {0: 5, 1: 5}

    # 4.5 s after BASE: partition 0 (v0 v2 v4 v6 v8) moves to v6 at offset 3, partition 1 (v1 v3 v5 …) to v5 at offset 2.
    reset = userstream.run("kafka", "groups", "reset", group, "--topic", topic, "--to", iso(BASE_MS + 4500))
    assert summary(reset) == {"group": group, "topic": topic, "partitions": "2", "reprocess": "5", "skip": "0", "applied": "yes"}, \
        reset.stdout.decode()
    assert committed(userstream, group, topic) == {0: 3, 1: 2}
    assert read(broker, topic, group, 5) == ["v5", "v6", "v7", "v8", "v9"]


def test_a_time_after_the_last_record_moves_to_the_end_and_an_exact_timestamp_includes_its_record(userstream, broker):
    topic, group = "reset-edges", "reset-edges"
    userstream.run("kafka", "topics", "create", topic, "--partitions", "2")
    produce_timed(broker, topic)
    read_all_kafka_python(broker, topic, group, 10)
    userstream.run("kafka", "groups", "reset", group, "--topic", topic, "--to", "earliest")
    assert committed(userstream, group, topic) == {0: 0, 1: 0}

    after = summary(userstream.run("kafka", "groups", "reset", group, "--topic", topic, "--to", iso(BASE_MS + 60_000), "--dry-run"))
    assert (after["reprocess"], after["skip"]) == ("0", "10"), after
    exact = userstream.run("kafka", "groups", "reset", group, "--topic", topic, "--to", iso(BASE_MS + 9000))
    assert summary(exact)["skip"] == "9", exact.stdout.decode()
    assert committed(userstream, group, topic) == {0: 5, 1: 4}


def test_a_group_with_a_live_member_is_refused_naming_it_and_nothing_moves(userstream, tmp_path):
    topic, group = "reset-live", "reset-live"
    sink = f"sqlite:{tmp_path / 'users.db'}"
    userstream.run("setup", "--topic", topic, "--partitions", "2", "--sink", sink)
    stream = userstream.start("stream", "--topic", topic, "--group", group, "--sink", sink)
    wait_until(lambda: members(userstream, group, topic), f"`userstream stream` in group {group}", 120, alive=[stream])
    [member] = members(userstream, group, topic)
    before = committed(userstream, group, topic)

    refused = userstream.run("kafka", "groups", "reset", group, "--topic", topic, "--to", "earliest", check=False)
    err = refused.stderr.decode()
    assert refused.returncode == 1, err
    assert f"consumer group '{group}' has 1 live member: {member['memberID']}" in err, err
    assert "stop them" in err
    assert summary(refused)["applied"] == "no"
    assert committed(userstream, group, topic) == before

    assert stream.kill(signal.SIGTERM) == 0


def test_a_group_that_does_not_exist_is_refused(userstream):
    userstream.run("kafka", "topics", "create", "reset-missing", "--partitions", "1")
    result = userstream.run("kafka", "groups", "reset", "no-such-group", "--topic", "reset-missing", "--to", "earliest", check=False)
    assert result.returncode == 1
    assert "consumer group 'no-such-group' does not exist" in result.stderr.decode()
    assert summary(result)["applied"] == "no"


@pytest.mark.parametrize("to,says", [
    ("2h", "is not earliest, latest"),
    ("1w-ago", "is not earliest, latest"),
    ("yesterday", "is not earliest, latest"),
    ("2999-01-01T00:00:00Z", "is in the future"),
    ("1969-12-31T00:00:00Z", "before 1970"),
])
def test_a_bad_to_value_is_a_usage_error_naming_it(userstream, to, says):
    result = userstream.run("kafka", "groups", "reset", "g", "--topic", "t", "--to", to, check=False)
    err = result.stderr.decode()
    assert result.returncode == 64, err
    assert "--to" in err and says in err, err


def test_to_is_required(userstream):
    result = userstream.run("kafka", "groups", "reset", "g", check=False)
    assert result.returncode == 64 and "--to" in result.stderr.decode()
