"""The seed's pipeline end to end on a real Tansu broker: the stand-in API → `userstream produce`
→ Kafka → `userstream stream` → SQLite, checked with kafka-python and sqlite3."""
import json
import sqlite3
import subprocess
import uuid

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from kafka_fixtures import consume_kafka_python
from pipeline_fixtures import FIELDS, names, stored_count, summary
from processes import StandInAPI, tansu_bin, userstream_bin, wait_until


def stored_rows(db) -> dict:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(f"SELECT {', '.join(FIELDS)} FROM created_users").fetchall()
    return {row[0]: dict(zip(FIELDS, row)) for row in rows}


def test_users_flow_into_sqlite_exactly_once_and_as_the_seeds_json(userstream, broker, api, tmp_path):
    topic, dlq, group = names()
    sink = f"sqlite:{tmp_path}/users.db"
    userstream.run("setup", "--topic", topic, "--partitions", "3", "--sink", sink)
    produced = summary(userstream.run("produce", "--api", api, "--topic", topic, "--count", "50000", "--batch", "1000"))
    assert produced["published"] == "50000" and produced["failed"] == "0"

    streamed = summary(userstream.run("stream", "--topic", topic, "--group", group, "--until-idle", "10", "--sink", sink))
    assert streamed["stored"] == "50000" and streamed["dead_lettered"] == "0"

    records = consume_kafka_python(broker.bootstrap, topic, 3, 50000)
    assert len(records) == 50000
    users = []
    for _, key, value, _ in records:
        user = json.loads(value)
        assert list(user) == FIELDS  # the seed's twelve keys, in its order
        assert all(isinstance(v, str) for v in user.values()), user
        assert key == user["id"]
        users.append(user)
    by_id = {u["id"]: u for u in users}
    assert len(by_id) == 50000, "a produced id occurs twice"

    rows = stored_rows(f"{tmp_path}/users.db")
    assert rows.keys() == by_id.keys()
    for user_id, user in by_id.items():
        assert rows[user_id] == user


def test_stream_killed_three_times_loses_and_duplicates_nothing(userstream, api, tmp_path):
    topic, dlq, group = names()
    db = f"{tmp_path}/users.db"
    userstream.run("setup", "--topic", topic, "--partitions", "3", "--sink", f"sqlite:{db}")
    produced = summary(userstream.run("produce", "--api", api, "--topic", topic, "--count", "100000", "--batch", "2000"))
    assert produced["published"] == "100000"

    for threshold in (10_000, 35_000, 60_000):
        process = userstream.start("stream", "--topic", topic, "--group", group, "--sink", f"sqlite:{db}")
        wait_until(lambda: stored_count(db) >= threshold, f"stream to reach {threshold} rows", 120, alive=[process])
        process.kill()
        assert stored_count(db) < 100_000, "the run finished before the kill; the test would prove nothing"

    final = summary(userstream.run("stream", "--topic", topic, "--group", group, "--until-idle", "10", "--sink", f"sqlite:{db}"))
    assert int(final["stored"]) > 0
    ids = {json.loads(value)["id"] for _, _, value, _ in consume_kafka_python(userstream.env["USERSTREAM_BOOTSTRAP_SERVERS"], topic, 3, 100000)}
    assert len(ids) == 100000
    rows = stored_rows(db)
    assert len(rows) == stored_count(db) == 100000
    assert rows.keys() == ids


def good_user(n: int) -> dict:
    return {
        "id": str(uuid.uuid4()), "first_name": f"Zoë{n}", "last_name": "Ørsted", "gender": "female",
        "address": f"{n} Rue de la Paix, Lyon, Rhône, France", "post_code": "69001",
        "email": f"user{n}@example.com", "username": f"user{n}", "dob": "1990-01-02T03:04:05.678Z",
        "registered_date": "2020-03-04T05:06:07.890Z", "phone": "555-0100", "picture": f"https://example.com/{n}.jpg",
    }


def encoded(user: dict) -> bytes:
    return json.dumps(user, ensure_ascii=False).encode()


def bad_messages():
    """(expected dlq.reason, value) for each kind of bad message."""
    u = good_user
    def changed(**fields):
        user = u(0)
        user.update(fields)
        return encoded(user)
    def without(field):
        user = u(0)
        del user[field]
        return encoded(user)
    return [
        ("not_json", b"this is not JSON"),
        ("not_json", encoded(u(1))[:-20]),                      # truncated
        ("not_object", b'["a", "list"]'),
        ("missing_field", without("email")),
        ("unknown_field", changed(extra="field")),
        ("wrong_type", changed(first_name={"nested": "object"})),
        ("wrong_type", changed(post_code=69001)),
        ("null_field", changed(email=None)),
        ("invalid_id", changed(id="not-a-uuid")),
        ("empty_id", changed(id="")),
        ("invalid_email", changed(email="nobody")),
        ("invalid_date", changed(dob="yesterday")),
        ("field_too_long", changed(last_name="x" * 5000)),
        ("invalid_utf8", b'{"id": "\xff\xfe"}'),
        # An escaped half of a surrogate pair is no character: not stored as U+FFFD.
        ("lone_surrogate", json.dumps(dict(u(3), first_name="Zo\ud800")).encode()),
        ("duplicate_field", encoded(u(2))[:-1] + b', "email": "again@example.com"}'),
        ("empty_value", b""),
        ("null_value", None),
        ("oversized_value", b'{"pad": "' + b"x" * (2 * 1024 * 1024) + b'"}'),
    ]


def test_bad_messages_go_to_the_dlq_with_their_reason_and_good_ones_are_stored(userstream, broker, tmp_path):
    topic, dlq, group = names()
    db = f"{tmp_path}/users.db"
    userstream.run("setup", "--topic", topic, "--partitions", "1", "--sink", f"sqlite:{db}")
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, max_request_size=4 << 20, acks="all")
    bad = bad_messages()
    assert len({reason for reason, _ in bad}) >= 16
    expected = {}  # offset → reason
    good_ids = set()
    for n, (reason, value) in enumerate(bad):
        user = good_user(100 + n)
        good_ids.add(user["id"])
        producer.send(topic, key=user["id"].encode(), value=encoded(user)).get(timeout=30)
        metadata = producer.send(topic, key=f"bad-{n}".encode(), value=value).get(timeout=30)
        expected[metadata.offset] = reason
    producer.close()

    streamed = summary(userstream.run("stream", "--topic", topic, "--group", group, "--until-idle", "10", "--sink", f"sqlite:{db}"))
    assert streamed["dead_lettered"] == str(len(bad))
    assert stored_rows(db).keys() == good_ids

    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap, enable_auto_commit=False, consumer_timeout_ms=10000,
                             auto_offset_reset="earliest", max_partition_fetch_bytes=4 << 20)
    consumer.assign([TopicPartition(dlq, p) for p in range(1)])
    got = {}
    for message in consumer:
        headers = {k: v.decode() for k, v in message.headers}
        assert headers["dlq.source.topic"] == topic
        assert headers["dlq.source.partition"] == "0"
        assert headers["dlq.message"]
        got[int(headers["dlq.source.offset"])] = headers["dlq.reason"]
    consumer.close()
    assert got == expected


def test_query_prints_a_stored_nul_character_escaped_not_cut(userstream, broker, tmp_path):
    topic, _, group = names()
    db = f"{tmp_path}/users.db"
    userstream.run("setup", "--topic", topic, "--partitions", "1", "--sink", f"sqlite:{db}")
    user = dict(good_user(1), last_name="Nul\u0000Byte")
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
    producer.send(topic, key=user["id"].encode(), value=encoded(user)).get(timeout=30)
    producer.close()
    assert summary(userstream.run("stream", "--topic", topic, "--group", group, "--until-idle", "5", "--sink", f"sqlite:{db}"))["stored"] == "1"
    printed = userstream.run("query", "--sink", f"sqlite:{db}").stdout.decode()
    assert '"last_name":"Nul\\u0000Byte"' in printed, printed
    assert json.loads(printed) == user


def test_produce_keeps_a_long_numeric_post_codes_digits_and_counts_unusable_results_by_field(userstream, broker):
    from recorded_api import OneAnswerAPI, recorded_users
    users = [json.loads(json.dumps(u)) for u in recorded_users()[:5]]
    users[0]["location"]["postcode"] = 123456789012345678901234567890  # a JSON number no Double holds
    users[1]["location"]["postcode"] = None
    users[2]["location"]["postcode"] = True
    users[3]["name"]["first"] = "Zo\ud800"  # an escaped lone surrogate
    users[4]["name"]["last"] = "INVALID-UTF-8"
    body = json.dumps({"results": users, "info": {"seed": "odd", "results": 5, "page": 1, "version": "1.4"}})
    odd_api = OneAnswerAPI(200, body.encode().replace(b"INVALID-UTF-8", b"\xff\xfe"))
    topic, _, _ = names()
    userstream.run("setup", "--topic", topic, "--partitions", "1", "--skip-sink")
    try:
        result = userstream.run("produce", "--api", odd_api.url, "--topic", topic, "--count", "1", "--concurrency", "1")
    finally:
        odd_api.stop()
    produced = summary(result)
    assert produced["published"] == "1" and produced["invalid"] == "4", produced
    assert produced["invalid_fields"] == "location.postcode:2,name.first:1,name.last:1", produced
    warnings = result.stderr.decode()
    assert "location.postcode is missing, null" in warnings and "name.first" in warnings and "name.last" in warnings, warnings
    (_, _, value, _), = consume_kafka_python(broker.bootstrap, topic, 1, 1)
    assert json.loads(value)["post_code"] == "123456789012345678901234567890"


def test_produce_absorbs_api_faults_and_still_publishes_the_requested_count(userstream, broker):
    topic, _, _ = names()
    userstream.run("setup", "--topic", topic, "--partitions", "3", "--skip-sink")
    faulty = StandInAPI("--error-rate", "0.3", "--truncate-rate", "0.3")
    try:
        produced = summary(userstream.run("produce", "--api", faulty.url, "--topic", topic, "--count", "20000", "--batch", "500"))
    finally:
        faulty.stop()
    assert produced["published"] == "20000" and produced["failed"] == "0"
    assert int(produced["retries"]) > 0, "no fault was absorbed; the test would prove nothing"
    # Counted by reading: Tansu's ListOffsets can lag behind acknowledged writes.
    records = consume_kafka_python(broker.bootstrap, topic, 3, 20000)
    assert len(records) == len({key for _, key, _, _ in records}) == 20000


def test_up_runs_the_pipeline_on_embedded_defaults(tmp_path):
    result = subprocess.run([str(userstream_bin()), "up", "--count", "20000", "--tansu", str(tansu_bin())],
                            cwd=tmp_path, capture_output=True, timeout=600)
    assert result.returncode == 0, result.stderr.decode()[-3000:]
    totals = summary(result)
    assert totals["published"] == totals["stored"] == totals["rows_in_sink"] == "20000"
    assert stored_count(tmp_path / "data" / "users.db") == 20000
    samples = [line for line in result.stdout.decode().splitlines() if line.startswith("  ")]
    assert len(samples) == 3
    assert "broker Tansu on 127.0.0.1:" in result.stderr.decode()
