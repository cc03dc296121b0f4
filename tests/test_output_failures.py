"""Output that cannot be written: standard output on /dev/full, or a pipe whose reader left (the
binary ignores SIGPIPE, as SwiftNIO sets it, so writes fail with EPIPE). Each command stops at the
first failed write with exit 74 and one error line, and a group consumer commits only the records
it printed whole. Real processes: a Tansu broker, the binary, kafka-python, `head`."""
import sqlite3
import subprocess

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from kafka_fixtures import make_records
from pipeline_fixtures import FIELDS, names
from processes import give_to_run_as

OUTPUT_FAILED = 74  # EX_IOERR
RECORDS = 3000  # 600 bytes each as produced, more as printed: far over a pipe's 64 KiB


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "error:" in line]


def assert_stopped_at_the_failed_write(code, stderr, reason):
    assert code == OUTPUT_FAILED, f"exit {code}: {stderr[-2000:]}"
    errors = error_lines(stderr)
    assert len(errors) == 1 and f"cannot write to standard output: {reason}" in errors[0], stderr[-2000:]


@pytest.fixture(scope="module")
def records_topic(userstream, broker):
    topic, _, _ = names()
    userstream.run("kafka", "topics", "create", topic, "--partitions", "1")
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
    for key, value in make_records(RECORDS):
        producer.send(topic, key=key.encode(), value=value.encode())
    producer.flush()
    producer.close()
    return topic


def committed(bootstrap, topic, group) -> int | None:
    reader = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    try:
        return reader.committed(TopicPartition(topic, 0))
    finally:
        reader.close()


def printed_count(stderr: str) -> int:
    line = [l for l in stderr.splitlines() if l.startswith("consumed ")][-1]
    return int(line.split()[1])


def test_kafka_consume_in_a_group_to_dev_full_commits_nothing_and_exits_74(userstream, broker, records_topic):
    group = names()[2]
    with open("/dev/full", "wb") as full:
        result = subprocess.run([str(userstream.bin), "kafka", "consume", records_topic, "--group", group, "--from-beginning",
                                 "--until-idle", "10"], stdout=full, stderr=subprocess.PIPE, text=True,
                                env=userstream.env, timeout=120)  # the timeout only ends a hang
    assert_stopped_at_the_failed_write(result.returncode, result.stderr, "No space left on device")
    assert printed_count(result.stderr) == 0
    assert committed(broker.bootstrap, records_topic, group) is None


def test_kafka_consume_in_a_group_piped_to_head_exits_and_commits_only_what_it_printed(userstream, broker, records_topic):
    group = names()[2]
    consume = subprocess.Popen([str(userstream.bin), "kafka", "consume", records_topic, "--group", group, "--from-beginning"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=userstream.env)
    head = subprocess.run(["head", "-1"], stdin=consume.stdout, capture_output=True, text=True, timeout=120)
    consume.stdout.close()  # head is the only reader
    _, stderr = consume.communicate(timeout=120)  # the timeout only ends a hang: it must exit once head left
    assert head.stdout.startswith('{"topic":"' + records_topic)
    assert_stopped_at_the_failed_write(consume.returncode, stderr, "Broken pipe")
    printed = printed_count(stderr)
    assert printed < RECORDS, stderr[-2000:]
    assert (committed(broker.bootstrap, records_topic, group) or 0) == printed


def test_kafka_consume_without_a_group_to_dev_full_exits_74(userstream, records_topic):
    with open("/dev/full", "wb") as full:
        result = subprocess.run([str(userstream.bin), "kafka", "consume", records_topic, "--from-beginning", "--until-idle", "10"],
                                stdout=full, stderr=subprocess.PIPE, text=True, env=userstream.env, timeout=120)
    assert_stopped_at_the_failed_write(result.returncode, result.stderr, "No space left on device")


@pytest.fixture(scope="module")
def stored_users(userstream, tmp_path_factory):
    """A sink of 3000 users, written by `setup` and then by SQLite itself."""
    folder = tmp_path_factory.mktemp("output")
    give_to_run_as(folder)
    db = folder / "users.db"
    topic, _, _ = names()
    userstream.run("setup", "--topic", topic, "--partitions", "1", "--sink", f"sqlite:{db}")
    connection = sqlite3.connect(db)
    with connection:
        connection.executemany(f"INSERT INTO created_users ({', '.join(FIELDS)}) VALUES ({', '.join('?' * len(FIELDS))})",
                               [[f"{n:08d}-0000-4000-8000-000000000000"] + [f"{field} {n} " + "x" * 40 for field in FIELDS[1:]]
                                for n in range(RECORDS)])
    connection.close()  # the last connection removes the -wal and -shm files, which stay nobody else's
    return topic, db


def test_query_to_dev_full_exits_74_without_a_trap(userstream, stored_users):
    _, db = stored_users
    with open("/dev/full", "wb") as full:
        result = subprocess.run([str(userstream.bin), "query", "--sink", f"sqlite:{db}"], stdout=full, stderr=subprocess.PIPE,
                                text=True, env=userstream.env, timeout=120)
    assert_stopped_at_the_failed_write(result.returncode, result.stderr, "No space left on device")


def test_query_piped_to_head_exits_74_without_a_trap(userstream, stored_users):
    _, db = stored_users
    query = subprocess.Popen([str(userstream.bin), "query", "--sink", f"sqlite:{db}"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=userstream.env, restore_signals=False)  # SIGPIPE ignored
    head = subprocess.run(["head", "-c", "1"], stdin=query.stdout, capture_output=True, timeout=120)
    query.stdout.close()
    _, stderr = query.communicate(timeout=120)
    assert head.stdout == b"{"
    assert_stopped_at_the_failed_write(query.returncode, stderr, "Broken pipe")


@pytest.mark.parametrize("command", [["status"], ["query", "--count"]])
def test_a_table_or_count_lost_to_dev_full_is_a_failure(userstream, stored_users, command):
    topic, db = stored_users
    with open("/dev/full", "wb") as full:
        result = subprocess.run([str(userstream.bin), *command, "--topic", topic, "--sink", f"sqlite:{db}"]
                                if command == ["status"] else [str(userstream.bin), *command, "--sink", f"sqlite:{db}"],
                                stdout=full, stderr=subprocess.PIPE, text=True, env=userstream.env, timeout=120)
    assert_stopped_at_the_failed_write(result.returncode, result.stderr, "No space left on device")
