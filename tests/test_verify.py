"""`userstream verify` end to end on a real Tansu broker and SQLite sink: a clean pipeline run
verifies (exit 0), a deleted row is missing and an edited row different (exit 1, naming the id),
a dead-lettered record is counted as such and not missing, and bad input is refused clearly."""
import datetime
import json
import sqlite3
import time

import pytest
from kafka import KafkaProducer

from pipeline_fixtures import names, summary
from processes import give_to_run_as, wait_until

USERS = 300


@pytest.fixture(scope="module")
def streamed(userstream, api, tmp_path_factory):
    """A topic of USERS users streamed into a SQLite sink: (topic, db). Tests change copies of the sink."""
    topic, _, group = names()
    directory = tmp_path_factory.mktemp("verify")
    give_to_run_as(directory)
    db = directory / "users.db"
    userstream.run("setup", "--topic", topic, "--partitions", "3", "--sink", f"sqlite:{db}")
    userstream.run("produce", "--api", api, "--topic", topic, "--count", str(USERS))
    assert summary(userstream.run("stream", "--topic", topic, "--group", group, "--until-idle", "5", "--sink", f"sqlite:{db}"))["stored"] == str(USERS)
    return topic, db


def copy_of(db, tmp_path):
    """A copy of the sink with what its WAL holds."""
    copy = tmp_path / "copy.db"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    give_to_run_as(copy)
    return copy


def verify(userstream, topic, db, *flags, check=False):
    return userstream.run("verify", "--topic", topic, "--sink", f"sqlite:{db}", *flags, check=check)


def test_verify_with_the_readme_defaults_exits_0_after_a_clean_run(userstream, api, tmp_path):
    """As the README runs it: every command in one folder, default topic and sink (data/users.db)."""
    def run(*args):
        process = userstream.start(*args, cwd=tmp_path)
        assert process.wait() == 0, process.tail()
        return process
    run("setup")
    run("produce", "--api", api, "--count", "200")
    run("stream", "--until-idle", "5")
    verified = run("verify")
    figures = verified.summary()
    assert figures == {"records": "200", "ids": "200", "dead_lettered": "0", "stored": "200", "missing": "0", "different": "0"}
    assert "partition 0 offsets 0..<" in verified.stdout


def test_a_deleted_row_is_missing_naming_its_id_and_offset(userstream, streamed, tmp_path):
    topic, db = streamed
    copy = copy_of(db, tmp_path)
    with sqlite3.connect(copy) as connection:
        deleted = connection.execute("SELECT id FROM created_users ORDER BY rowid LIMIT 1 OFFSET 7").fetchone()[0]
        connection.execute("DELETE FROM created_users WHERE id = ?", (deleted,))
    result = verify(userstream, topic, copy)
    assert result.returncode == 1, result.stderr
    figures = summary(result)
    assert (figures["missing"], figures["different"], figures["stored"], figures["ids"]) == ("1", "0", str(USERS - 1), str(USERS))
    missing = [line for line in result.stdout.decode().splitlines() if line.startswith("missing ")]
    assert len(missing) == 1 and missing[0].startswith(f"missing {deleted} partition ") and " offset " in missing[0]


def test_an_edited_row_is_different_naming_the_field(userstream, streamed, tmp_path):
    topic, db = streamed
    copy = copy_of(db, tmp_path)
    with sqlite3.connect(copy) as connection:
        edited = connection.execute("SELECT id FROM created_users LIMIT 1").fetchone()[0]
        connection.execute("UPDATE created_users SET email = 'changed@example.com' WHERE id = ?", (edited,))
    result = verify(userstream, topic, copy)
    assert result.returncode == 1, result.stderr
    assert (summary(result)["different"], summary(result)["missing"]) == ("1", "0")
    assert f"different {edited} partition " in result.stdout.decode()
    assert result.stdout.decode().rstrip().splitlines()[-2].endswith("fields email")


def test_json_report_for_machines(userstream, streamed, tmp_path):
    topic, db = streamed
    copy = copy_of(db, tmp_path)
    with sqlite3.connect(copy) as connection:
        deleted = connection.execute("SELECT id FROM created_users LIMIT 1").fetchone()[0]
        connection.execute("DELETE FROM created_users WHERE id = ?", (deleted,))
    result = verify(userstream, topic, copy, "--json", "--show", "5")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert (report["records"], report["ids"], report["stored"], report["missing"], report["different"]) == (USERS, USERS, USERS - 1, 1, 0)
    assert [finding["id"] for finding in report["first_missing"]] == [deleted]
    assert sorted(p["partition"] for p in report["partitions"]) == [0, 1, 2]
    assert "userstream: verify records=" in result.stderr.decode()


def test_extra_rows_count_only_with_expect_complete_topic(userstream, streamed, tmp_path):
    topic, db = streamed
    copy = copy_of(db, tmp_path)
    with sqlite3.connect(copy) as connection:
        row = list(connection.execute("SELECT * FROM created_users LIMIT 1").fetchone())
        row[0] = "00000000-0000-4000-8000-000000000000"
        connection.execute(f"INSERT INTO created_users VALUES ({','.join('?' * len(row))})", row)
    assert verify(userstream, topic, copy).returncode == 0
    strict = verify(userstream, topic, copy, "--expect-complete-topic")
    assert strict.returncode == 1 and summary(strict)["extra"] == "1"
    assert "extra 00000000-0000-4000-8000-000000000000" in strict.stdout.decode()


def test_a_record_only_in_the_dlq_is_dead_lettered_not_missing(userstream, broker, tmp_path):
    topic, dlq, group = names()
    db = tmp_path / "users.db"
    userstream.run("setup", "--topic", topic, "--partitions", "1", "--sink", f"sqlite:{db}")
    good = {"id": "6a1f0c2e-4b1d-4c8e-9a57-1f0e2d3c4b5a", "first_name": "A", "last_name": "B", "gender": "female",
            "address": "1 Main Street", "post_code": "97000", "email": "a@example.com", "username": "ab",
            "dob": "1990-05-01T12:00:00.000Z", "registered_date": "2001-09-09T01:46:40.000Z", "phone": "555", "picture": "p"}
    bad = dict(good, id="0b7e4c1a-2d3f-4e5a-8b9c-0d1e2f3a4b5c", email="not an email")
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
    for user in (good, bad):
        producer.send(topic, key=user["id"].encode(), value=json.dumps(user).encode()).get(timeout=30)
    producer.close()
    streamed = summary(userstream.run("stream", "--topic", topic, "--group", group, "--until-idle", "5", "--sink", f"sqlite:{db}"))
    assert (streamed["stored"], streamed["dead_lettered"]) == ("1", "1")
    result = verify(userstream, topic, db)
    assert result.returncode == 0, result.stdout
    assert summary(result) == {"records": "2", "ids": "1", "dead_lettered": "1", "stored": "1", "missing": "0", "different": "0"}


def test_since_reads_only_the_records_from_that_time(userstream, broker, tmp_path):
    topic, _, group = names()
    db = tmp_path / "users.db"
    userstream.run("setup", "--topic", topic, "--partitions", "1", "--sink", f"sqlite:{db}")
    before = {"id": "11111111-1111-4111-8111-111111111111", "first_name": "A", "last_name": "B", "gender": "female",
              "address": "1 Main Street", "post_code": "97000", "email": "a@example.com", "username": "ab",
              "dob": "1990-05-01T12:00:00.000Z", "registered_date": "2001-09-09T01:46:40.000Z", "phone": "555", "picture": "p"}
    after = dict(before, id="22222222-2222-4222-8222-222222222222")
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
    producer.send(topic, key=before["id"].encode(), value=json.dumps(before).encode()).get(timeout=30)
    # The first millisecond after the first record was acknowledged: it was appended before, the second after.
    since_ms = int(time.time() * 1000) + 1
    wait_until(lambda: time.time() * 1000 >= since_ms, "the clock to pass the --since time")
    producer.send(topic, key=after["id"].encode(), value=json.dumps(after).encode()).get(timeout=30)
    producer.close()
    userstream.run("stream", "--topic", topic, "--group", group, "--until-idle", "5", "--sink", f"sqlite:{db}")
    since = datetime.datetime.fromtimestamp(since_ms / 1000, datetime.timezone.utc).isoformat(timespec="milliseconds")
    result = verify(userstream, topic, db, "--since", since)
    assert result.returncode == 0, result.stderr
    assert (summary(result)["records"], summary(result)["ids"]) == ("1", "1")
    assert "partition 0 offsets 1..<2" in result.stdout.decode()


def test_bad_input_is_refused_clearly_and_creates_no_sink(userstream, streamed, tmp_path):
    topic, db = streamed
    future = verify(userstream, topic, db, "--since", "2999-01-01T00:00:00Z")
    assert future.returncode == 64 and "--since 2999-01-01T00:00:00.000Z is in the future" in future.stderr.decode()
    garbled = verify(userstream, topic, db, "--since", "yesterday")
    assert garbled.returncode == 64 and "--since 'yesterday' is not a time" in garbled.stderr.decode()
    unknown = verify(userstream, "no_such_topic_here", db)
    assert unknown.returncode == 1 and "no_such_topic_here" in unknown.stderr.decode()
    absent = tmp_path / "none" / "users.db"
    missing_sink = verify(userstream, topic, absent)
    assert missing_sink.returncode == 1 and "no sink yet" in missing_sink.stderr.decode()
    assert not absent.parent.exists()
