"""Write-time dead letters: a user the SQLite sink refuses for that row alone (a CHECK constraint, a
trigger's RAISE(ABORT)) goes to the dead-letter topic as `sink_rejected` with SQLite's message, and
the stream stores the rest once and commits. Through the binary, against a real Tansu broker and a
real SQLite file whose table the test created with the constraint, checked with kafka-python and sqlite3."""
import sqlite3

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from pipeline_fixtures import FIELDS, names, summary
from processes import give_to_run_as
from test_pipeline import encoded, good_user, stored_rows
from test_stream_guards import committed

COLUMNS = ", ".join(f"{name} TEXT NOT NULL" for name in FIELDS[1:])
# How the table refuses a row, the refused users' change, and what SQLite's message says.
REFUSALS = {
    "check_constraint": (
        [f"CREATE TABLE created_users (id TEXT PRIMARY KEY NOT NULL, {COLUMNS}, CHECK(length(email) < 40))"],
        lambda user: dict(user, email=f"a.mailbox.name.far.too.long.{user['username']}@example.com"),
        "CHECK constraint failed",
    ),
    "trigger_raise_abort": (
        [f"CREATE TABLE created_users (id TEXT PRIMARY KEY NOT NULL, {COLUMNS})",
         "CREATE TRIGGER refuse_by_policy BEFORE INSERT ON created_users WHEN NEW.last_name = 'Refused' "
         "BEGIN SELECT RAISE(ABORT, 'last name refused by policy'); END"],
        lambda user: dict(user, last_name="Refused"),
        "last name refused by policy",
    ),
}


def dead_letters(bootstrap, dlq) -> list[dict]:
    """The headers of every record in the dead-letter topic."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest")
    try:
        partitions = [TopicPartition(dlq, p) for p in sorted(consumer.partitions_for_topic(dlq))]
        consumer.assign(partitions)
        ends = consumer.end_offsets(partitions)
        letters = []
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            for records in consumer.poll(timeout_ms=1000).values():
                letters += [{k: v.decode() for k, v in record.headers} | {"key": record.key.decode()} for record in records]
        return letters
    finally:
        consumer.close()


def end_offsets(bootstrap, topic) -> dict[int, int]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
        return {tp.partition: offset for tp, offset in consumer.end_offsets(partitions).items()}
    finally:
        consumer.close()


@pytest.mark.parametrize("refusal", REFUSALS)
def test_rows_the_sqlite_table_refuses_are_dead_lettered_as_sink_rejected_and_the_rest_stored_once(userstream, broker, tmp_path, refusal):
    statements, refuse, message = REFUSALS[refusal]
    topic, dlq, group = names()
    db = tmp_path / "users.db"
    with sqlite3.connect(db) as connection:
        for statement in statements:
            connection.execute(statement)
    give_to_run_as(db)
    sink = f"sqlite:{db}"
    userstream.run("setup", "--topic", topic, "--partitions", "2", "--sink", sink)

    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
    stored_ids, refused = set(), {}  # refused: id → (partition, offset)
    for n in range(40):
        user = good_user(n)
        if n % 10 == 3:  # among the others of their batch, on both partitions
            user = refuse(user)
            metadata = producer.send(topic, key=user["id"].encode(), value=encoded(user)).get(timeout=30)
            refused[user["id"]] = (metadata.partition, metadata.offset)
        else:
            producer.send(topic, key=user["id"].encode(), value=encoded(user)).get(timeout=30)
            stored_ids.add(user["id"])
    producer.send(topic, key=b"bad", value=b"not JSON").get(timeout=30)
    producer.close()

    # A refused row once stalled the stream in write retries: bounded, so that fails instead of hanging.
    streamed = summary(userstream.run("stream", "--topic", topic, "--group", group, "--until-idle", "5", "--sink", sink, timeout=180))
    assert (streamed["consumed"], streamed["stored"], streamed["dead_lettered"]) == ("41", "36", "5"), streamed

    rows = stored_rows(db)
    assert rows.keys() == stored_ids
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT COUNT(*) FROM created_users").fetchone()[0] == len(stored_ids)  # each once

    letters = dead_letters(broker.bootstrap, dlq)
    assert sorted(letter["dlq.reason"] for letter in letters) == ["not_json"] + ["sink_rejected"] * 4
    rejected = {letter["key"]: letter for letter in letters if letter["dlq.reason"] == "sink_rejected"}
    assert rejected.keys() == refused.keys()
    for user_id, letter in rejected.items():
        assert message in letter["dlq.message"] and user_id in letter["dlq.message"], letter
        assert (int(letter["dlq.source.partition"]), int(letter["dlq.source.offset"])) == refused[user_id]
        assert letter["dlq.source.topic"] == topic

    # Everything was committed: the dead letters count as done, and a second run reads nothing.
    assert {p: committed(broker.bootstrap, group, topic, p) for p in (0, 1)} == end_offsets(broker.bootstrap, topic)
    again = summary(userstream.run("stream", "--topic", topic, "--group", group, "--until-idle", "3", "--sink", sink))
    assert again["consumed"] == "0", again
