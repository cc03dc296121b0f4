"""`userstream dlq stats|show|replay` on a real Tansu broker and SQLite sink: dead letters made by
`userstream stream` from bad records, and dead letters written straight onto the dead-letter topic
with the headers the stream writes, standing for records whose cause has since been fixed (a
valid user the sink once refused): the replay sends them back and the stream stores them."""
import json
import signal
import sqlite3
from collections import Counter

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from pipeline_fixtures import names, stored_count, summary
from test_pipeline import bad_messages, encoded, good_user


def setup(userstream, tmp_path, partitions=3):
    topic, dlq, group = names()
    sink = f"sqlite:{tmp_path}/users.db"
    userstream.run("setup", "--topic", topic, "--partitions", str(partitions), "--sink", sink)
    return topic, dlq, group, sink


def dead_letter_fixed_users(broker, topic, dlq, count, reason="invalid_date", replays=None):
    """`count` valid users written onto the dead-letter topic as the stream dead-letters a record
    (key, value, dlq.* headers); returns their ids."""
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
    ids = []
    for n in range(count):
        user = good_user(n)
        ids.append(user["id"])
        headers = [("origin", b"test"), ("dlq.reason", reason.encode()), ("dlq.message", b"refused then"),
                   ("dlq.source.topic", topic.encode()), ("dlq.source.partition", str(n % 3).encode()),
                   ("dlq.source.offset", str(n).encode()), *([("dlq.replays", str(replays).encode())] if replays else [])]
        producer.send(dlq, key=user["id"].encode(), value=encoded(user), headers=headers, partition=n % 3)
    producer.flush()
    producer.close()
    return ids


def stream(userstream, topic, group, sink):
    return summary(userstream.run("stream", "--topic", topic, "--group", group, "--until-idle", "5", "--sink", sink))


def stored_ids(db) -> list:
    with sqlite3.connect(db) as connection:
        return [row[0] for row in connection.execute("SELECT id FROM created_users")]


def topic_keys(broker, topic) -> list:
    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap, enable_auto_commit=False, consumer_timeout_ms=5000,
                             auto_offset_reset="earliest")
    consumer.assign([TopicPartition(topic, p) for p in range(3)])
    keys = [message.key.decode() for message in consumer]
    consumer.close()
    return keys


def test_stats_and_show_report_every_kind_of_bad_record_the_stream_dead_lettered(userstream, broker, tmp_path):
    topic, dlq, group, sink = setup(userstream, tmp_path, partitions=1)
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, max_request_size=4 << 20, acks="all")
    bad = bad_messages()
    for n, (_, value) in enumerate(bad):
        producer.send(topic, key=f"bad-{n}".encode(), value=value).get(timeout=30)
    producer.close()
    assert stream(userstream, topic, group, sink)["dead_lettered"] == str(len(bad))

    stats = userstream.run("dlq", "stats", "--topic", topic, "--json")
    report = json.loads(stats.stdout)
    assert report["total"] == len(bad)
    assert report["by_reason"] == dict(Counter(reason for reason, _ in bad))
    assert report["by_source_partition"] == {f"{topic}-0": len(bad)}
    assert report["oldest"] <= report["newest"] and report["newest"].endswith("Z")
    assert summary(stats.stderr.decode())["total"] == str(len(bad))
    text = userstream.run("dlq", "stats", "--topic", topic).stdout.decode()
    assert "invalid_id" in text and "no replay yet" in text

    lines = userstream.run("dlq", "show", "--topic", topic, "--json").stdout.decode().splitlines()
    shown = [json.loads(line) for line in lines]
    assert len(shown) == len(bad)
    assert Counter(dict(r["headers"])["dlq.reason"] for r in shown) == Counter(reason for reason, _ in bad)
    assert all(dict(r["headers"])["dlq.source.topic"] == topic for r in shown)

    one = userstream.run("dlq", "show", "--topic", topic, "--reason", "invalid_id").stdout.decode()
    assert "key: bad-" in one and '"not-a-uuid"' in one and "dlq.reason: invalid_id" in one and "dlq.source.offset: " in one
    assert summary(one)["shown"] == "1"
    assert summary(userstream.run("dlq", "show", "--topic", topic, "--limit", "2"))["shown"] == "2"


def test_replay_after_the_cause_is_fixed_stores_each_user_once_and_a_rerun_sends_nothing(userstream, broker, tmp_path):
    topic, dlq, group, sink = setup(userstream, tmp_path)
    ids = dead_letter_fixed_users(broker, topic, dlq, 30)

    replay = summary(userstream.run("dlq", "replay", "--topic", topic))
    assert (replay["selected"], replay["replayed"], replay["skipped_max_replays"], replay["group"]) == ("30", "30", "0", "userstream-dlq-replay")
    assert stream(userstream, topic, group, sink)["stored"] == "30"
    assert sorted(stored_ids(f"{tmp_path}/users.db")) == sorted(ids)

    again = summary(userstream.run("dlq", "replay", "--topic", topic))
    assert (again["read"], again["replayed"]) == ("0", "0")
    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap, enable_auto_commit=False, consumer_timeout_ms=5000,
                             auto_offset_reset="earliest")
    consumer.assign([TopicPartition(topic, p) for p in range(3)])
    headers = [dict(m.headers) for m in consumer]
    consumer.close()
    assert len(headers) == 30
    assert all(h == {"origin": b"test", "dlq.replays": b"1"} for h in headers), headers[0]


def test_a_record_back_after_max_replays_is_not_replayed_again(userstream, broker, tmp_path):
    topic, dlq, group, sink = setup(userstream, tmp_path, partitions=1)
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
    for n in range(4):
        producer.send(topic, key=f"bad-{n}".encode(), value=encoded(dict(good_user(n), dob="yesterday"))).get(timeout=30)
    producer.close()
    assert stream(userstream, topic, group, sink)["dead_lettered"] == "4"

    first = summary(userstream.run("dlq", "replay", "--topic", topic, "--max-replays", "1"))
    assert (first["replayed"], first["skipped_max_replays"]) == ("4", "0")
    assert stream(userstream, topic, group, sink)["dead_lettered"] == "4"  # the cause is not fixed: back they come
    second = userstream.run("dlq", "replay", "--topic", topic, "--max-replays", "1")
    assert (summary(second)["replayed"], summary(second)["skipped_max_replays"]) == ("0", "4")
    assert second.stdout.decode().count("came back after 1 replays (--max-replays 1)") == 4
    assert stream(userstream, topic, group, sink)["consumed"] == "0"


def test_dry_run_prints_what_it_would_replay_and_commits_and_sends_nothing(userstream, broker, tmp_path):
    topic, dlq, group, sink = setup(userstream, tmp_path)
    dead_letter_fixed_users(broker, topic, dlq, 6, reason="not_json")
    dead_letter_fixed_users(broker, topic, dlq, 3, reason="invalid_id")

    dry = userstream.run("dlq", "replay", "--topic", topic, "--reason", "not_json", "--dry-run")
    assert (summary(dry)["selected"], summary(dry)["passed_over"], summary(dry)["dry_run"]) == ("6", "3", "true")
    assert dry.stdout.decode().count(f"would replay {dlq}/") == 6
    assert topic_keys(broker, topic) == []
    group_id = "userstream-dlq-replay.reason=not_json"
    unknown = userstream.run("dlq", "stats", "--topic", topic, "--group", group_id, check=False)
    assert unknown.returncode == 1 and b"has committed no offset" in unknown.stderr

    real = summary(userstream.run("dlq", "replay", "--topic", topic, "--reason", "not_json"))
    assert (real["replayed"], real["group"]) == ("6", group_id)
    # The filtered replay's own group passed over the invalid_id ones; an unfiltered replay still finds them.
    rest = summary(userstream.run("dlq", "replay", "--topic", topic))
    assert rest["selected"] == "9"


def test_replay_sigkilled_and_rerun_delivers_every_selected_record_and_stores_each_user_once(userstream, broker, tmp_path):
    topic, dlq, group, sink = setup(userstream, tmp_path)
    ids = dead_letter_fixed_users(broker, topic, dlq, 2000)

    killed = userstream.start("dlq", "replay", "--topic", topic, "--batch", "10")
    killed.await_match(r"^progress: read=\d+ replayed=\d+ committed")
    killed.kill(signal.SIGKILL)
    assert "userstream: dlq replay" not in killed.stdout, "the replay finished before the kill; the test would prove nothing"

    rerun = summary(userstream.run("dlq", "replay", "--topic", topic))
    assert 0 < int(rerun["replayed"]) < 2000
    assert set(topic_keys(broker, topic)) == set(ids)  # every selected record delivered at least once
    stream(userstream, topic, group, sink)
    assert stored_count(f"{tmp_path}/users.db") == 2000
    assert sorted(stored_ids(f"{tmp_path}/users.db")) == sorted(ids)


def test_bad_input_is_refused_clearly(userstream, broker, tmp_path):
    topic, dlq, group, sink = setup(userstream, tmp_path)

    def refused(*args):
        result = userstream.run("dlq", *args, check=False)
        return result.returncode, result.stderr.decode()

    code, error = refused("show", "--topic", topic, "--reason", "bogus")
    assert code == 64 and "--reason 'bogus'" in error and "not_json" in error and "lone_surrogate" in error
    code, error = refused("replay", "--topic", topic, "--since", "2999-01-01T00:00:00Z")
    assert code == 64 and "is in the future" in error
    code, error = refused("replay", "--topic", topic, "--since", "1h-ago", "--until", "2h-ago")
    assert code == 64 and "--since 1h-ago is after --until 2h-ago" in error
    code, error = refused("replay", "--topic", topic, "--since", "yesterday")
    assert code == 64 and "is not a time" in error
    code, error = refused("stats", "--dlq-topic", "no_such_dlq")
    assert code == 1 and "dead-letter topic 'no_such_dlq' does not exist" in error
    code, error = refused("stats", "--topic", topic, "--group", "no-such-group")
    assert code == 1 and "consumer group 'no-such-group' has committed no offset" in error

    member = userstream.start("kafka", "consume", dlq, "--group", group)
    member.await_match(r"^assigned: ")
    code, error = refused("replay", "--topic", topic, "--group", group)
    assert code == 1 and f"consumer group '{group}' has live members" in error and "set another --group" in error
    member.kill(signal.SIGTERM)

    empty = userstream.run("dlq", "replay", "--topic", topic, "--since", "1h-ago")
    assert f"dead-letter topic {dlq} is empty" in empty.stdout.decode() and summary(empty)["selected"] == "0"
    assert b"is empty" in userstream.run("dlq", "stats", "--topic", topic).stdout
    assert userstream.run("dlq", "replay", "--help").returncode == 0
