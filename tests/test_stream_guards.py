"""What `stream` checks before it consumes anything (the sink table's shape, the dead-letter topic),
and how it moves a partition whose position is outside the log (`--offset-reset`): through the
binary, against real Tansu brokers and real SQLite files, checked with kafka-python and sqlite3."""
import re
import signal
import sqlite3

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.structs import OffsetAndMetadata

from pipeline_fixtures import FIELDS, names, stored_count, summary
from processes import give_to_run_as
from test_pipeline import encoded, good_user
from test_status import Serving

OTHER = ", ".join(f"{name} TEXT NOT NULL" for name in FIELDS[1:])
# Tables of another shape than the one userstream writes, and what the refusal must name.
SHAPES = {
    "missing_dob": (f"id TEXT PRIMARY KEY NOT NULL, {OTHER.replace('dob TEXT NOT NULL, ', '')}", "missing column dob"),
    "extra_not_null_column": (f"id TEXT PRIMARY KEY NOT NULL, {OTHER}, tenant TEXT NOT NULL",
                              "extra NOT NULL column without a default: tenant"),
    "id_not_the_key": (f"rowkey INTEGER PRIMARY KEY, id TEXT NOT NULL, {OTHER}", "its key is (rowkey) instead of id alone"),
}


def table_of_shape(tmp_path, shape) -> tuple[str, str]:
    """A SQLite file whose created_users has `shape`; its path and the table's SQL."""
    db = tmp_path / "users.db"
    with sqlite3.connect(db) as connection:
        connection.execute(f"CREATE TABLE created_users ({SHAPES[shape][0]})")
    give_to_run_as(db)
    return str(db), table_sql(db)


def table_sql(db) -> str:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT sql FROM sqlite_master WHERE name = 'created_users'").fetchone()[0]


def committed(bootstrap, group, topic, partition=0):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    try:
        return consumer.committed(TopicPartition(topic, partition))
    finally:
        consumer.close()


def commit(bootstrap, group, topic, offset, partition=0):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    try:
        consumer.commit({TopicPartition(topic, partition): OffsetAndMetadata(offset, "", -1)})
    finally:
        consumer.close()


def produce(bootstrap, topic, values):
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for value in values:
        producer.send(topic, value=value).get(timeout=30)
    producer.close()


@pytest.mark.parametrize("shape", SHAPES)
def test_setup_refuses_a_sink_table_of_another_shape_naming_what_differs(userstream, tmp_path, shape):
    topic, _, _ = names()
    db, sql = table_of_shape(tmp_path, shape)
    result = userstream.run("setup", "--topic", topic, "--sink", f"sqlite:{db}", check=False, timeout=120)
    assert result.returncode == 1, result.stdout.decode()
    error = result.stderr.decode()
    assert SHAPES[shape][1] in error and f"table created_users in {db} is not the shape userstream writes" in error, error
    assert table_sql(db) == sql  # left as it was


@pytest.mark.parametrize("shape", SHAPES)
def test_stream_refuses_a_sink_table_of_another_shape_before_consuming_anything(userstream, broker, tmp_path, shape):
    topic, _, group = names()
    userstream.run("setup", "--topic", topic, "--partitions", "1", "--skip-sink")
    produce(broker.bootstrap, topic, [encoded(good_user(1))])
    db, sql = table_of_shape(tmp_path, shape)
    # Before the check, this run retried the failing write every 5 s and never ended.
    result = userstream.run("stream", "--topic", topic, "--group", group, "--until-idle", "5", "--sink", f"sqlite:{db}",
                            check=False, timeout=120)
    assert result.returncode == 1
    assert SHAPES[shape][1] in result.stderr.decode()
    assert committed(broker.bootstrap, group, topic) is None
    assert stored_count(db) == 0 and table_sql(db) == sql


def test_stream_creates_a_missing_dead_letter_topic_like_the_users_topic_and_says_so(userstream, broker, tmp_path):
    topic, dlq, group = names()
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    admin.create_topics([NewTopic(topic, 2, 1)])
    admin.close()
    users = [good_user(n) for n in range(3)]
    produce(broker.bootstrap, topic, [b"this is not JSON"] + [encoded(user) for user in users])
    db = f"{tmp_path}/users.db"
    # Before the check, the bad record was retried forever and held back every record after it.
    result = userstream.run("stream", "--topic", topic, "--group", group, "--until-idle", "5", "--sink", f"sqlite:{db}", timeout=120)
    streamed = summary(result)
    assert streamed["stored"] == "3" and streamed["dead_lettered"] == "1"
    assert (f"dead-letter topic '{dlq}' did not exist: created it as setup would, like the users topic '{topic}' "
            "(2 partitions, replication factor 1)") in result.stderr.decode()
    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap, enable_auto_commit=False, consumer_timeout_ms=10000,
                             auto_offset_reset="earliest")
    consumer.assign([TopicPartition(dlq, p) for p in range(2)])
    reasons = [dict(message.headers)["dlq.reason"] for message in consumer]
    consumer.close()
    assert reasons == [b"not_json"]


@pytest.fixture
def past_the_end(userstream, broker, tmp_path):
    """A one-partition topic of 5 users whose group committed offset 1000, past the log's end
    (Tansu answers a fetch there with nothing, not OFFSET_OUT_OF_RANGE)."""
    topic, _, group = names()
    userstream.run("setup", "--topic", topic, "--partitions", "1", "--skip-sink")
    produce(broker.bootstrap, topic, [encoded(good_user(n)) for n in range(5)])
    commit(broker.bootstrap, group, topic, 1000)
    return topic, group, f"{tmp_path}/users.db"


def test_a_position_past_the_end_goes_back_to_earliest_by_default_logged_counted_and_committed(userstream, broker, past_the_end):
    topic, group, db = past_the_end
    serving = Serving(userstream, "stream", "--topic", topic, "--group", group, "--sink", f"sqlite:{db}")
    try:
        # Before the reset was decided, the stream sat at offset 1000 for ever, printing progress lines.
        serving.await_match(re.escape(f"offset out of range on {topic}-0: offset 1000 is past the log's end (log 0..<5); "
                                      "moved to 0 — 0 offsets skipped, 5 records read again"), timeout=120)
        # A progress line (every 5 s off a terminal), ending with the partition furthest behind.
        serving.await_match(r"^stream: consumed=5 stored=5 .* worst_lag=0 \(partition 0\)$", timeout=120)
    except BaseException:
        serving.kill()
        raise
    metrics = serving.get("metrics")
    code = serving.kill(signal.SIGTERM, 120)
    assert code == 0
    streamed = serving.summary()
    assert (streamed["stored"], streamed["offset_resets"], streamed["skipped"], streamed["read_again"]) == ("5", "1", "0", "5")
    assert "userstream_offset_resets_total 1" in metrics
    assert 'userstream_offset_reset_records_total{kind="read_again"} 5' in metrics
    assert stored_count(db) == 5
    assert committed(broker.bootstrap, group, topic) == 5


def test_offset_reset_latest_goes_to_the_end_reading_nothing_again(userstream, broker, past_the_end):
    topic, group, db = past_the_end
    result = userstream.run("stream", "--topic", topic, "--group", group, "--until-idle", "5", "--sink", f"sqlite:{db}",
                            "--offset-reset", "latest", timeout=120)
    streamed = summary(result)
    assert (streamed["stored"], streamed["offset_resets"], streamed["skipped"], streamed["read_again"]) == ("0", "1", "0", "0")
    assert "moved to 5 — 0 offsets skipped, 0 records read again" in result.stderr.decode()
    assert committed(broker.bootstrap, group, topic) == 5


def test_offset_reset_fail_stops_naming_the_partition_and_moves_nothing(userstream, broker, past_the_end):
    topic, group, db = past_the_end
    result = userstream.run("stream", "--topic", topic, "--group", group, "--until-idle", "5", "--sink", f"sqlite:{db}",
                            env={"USERSTREAM_OFFSET_RESET": "fail"}, check=False, timeout=120)
    assert result.returncode == 1
    error = result.stderr.decode()
    assert f"{topic}-0: offset 1000 is outside the log (0..<5); nothing was read from it" in error
    assert "--offset-reset earliest or latest moves it" in error
    assert committed(broker.bootstrap, group, topic) == 1000
    assert stored_count(db) == 0


@pytest.mark.parametrize("source", ["flag", "variable"])
def test_an_unknown_offset_reset_policy_is_a_usage_error(userstream, source):
    args, env = (["--offset-reset", "none"], {}) if source == "flag" else ([], {"USERSTREAM_OFFSET_RESET": "none"})
    result = userstream.run("stream", *args, env=env, check=False, timeout=120)
    assert result.returncode == 64
    assert ("--offset-reset" if source == "flag" else "USERSTREAM_OFFSET_RESET") + " none is not a policy" in result.stderr.decode()
