"""Processes killed under load — a durable broker (Tansu on s3 storage, moto's S3 server) stopped
and started twice, `produce` SIGKILLed and rerun, one of two `stream` replicas SIGKILLed during a
rebalance — each ending with the history checker: nothing lost, nothing duplicated, no offset
committed ahead of the sink."""
import signal
import sqlite3

from fault_fixtures import assert_verified, set_up_run
from history import check, collect, evaluate, sqlite_count, sqlite_ids
from pipeline_fixtures import names, summary
from processes import Userstream, wait_until

SINK_FAILED = "to the sink failed"  # the stream's warning when a write fails and is retried


def drain_and_stop(stream, db, bootstrap, topic, expected_rows, group=None):
    """Waits until the sink holds every user the topic got, then stops the stream with SIGTERM:
    it must exit 0 with its summary. If it never gets there, the failure says what the history
    checker makes of the run so far."""
    try:
        wait_until(lambda: sqlite_count(db) >= expected_rows, f"{expected_rows} rows in the sink", alive=[stream])
    except AssertionError as failure:
        if group is None:
            raise
        so_far = check(bootstrap, topic, topic + ".dlq", group, db, drained=False)
        raise AssertionError(f"{failure}\nhistory so far: {so_far}") from None
    stream.kill(signal.SIGTERM)
    assert stream.returncode == 0, f"stream exited {stream.returncode} on SIGTERM: {stream.tail()}"
    return stream.summary()


def test_durable_broker_stopped_and_started_twice_under_produce_and_stream(durable_broker, slow_api, tmp_path):
    api = slow_api
    broker = durable_broker
    us = Userstream(broker.bootstrap)
    topic, dlq, group, db, sink = set_up_run(us, tmp_path)
    count = 30_000
    produce = us.start("produce", "--api", api.url, "--topic", topic, "--count", str(count), "--batch", "200",
                       "--concurrency", "1")
    stream = us.start("stream", "--topic", topic, "--group", group, "--sink", sink)

    for stop_signal in (signal.SIGTERM, signal.SIGKILL):
        served_before = len(api.served) + 4000
        wait_until(lambda: len(api.served) >= served_before, f"{served_before} users served", alive=[produce, stream])
        assert produce.poll() is None, "produce finished before the broker stopped; the test would prove nothing"
        rows = sqlite_count(db)
        broker.stop(stop_signal)
        broker.start()
        # Both go on after the restart: more users are stored.
        wait_until(lambda: sqlite_count(db) > rows, "rows stored after the restart", alive=[produce, stream])

    assert produce.wait() == 0, f"produce exited {produce.returncode}: {produce.tail()}"
    produced = produce.summary()
    assert produced["published"] == str(count) and produced["failed"] == "0", produced
    drain_and_stop(stream, db, broker.bootstrap, topic, count, group)

    verdict = check(broker.bootstrap, topic, dlq, group, db, served=api.served, summaries=[produced])
    assert verdict.figures() == (0, 0, 0), verdict
    assert verdict.unserved == 0 and verdict.totals["distinct_ids"] >= count, verdict
    assert_verified(us, topic, dlq, db)


def test_produce_sigkilled_and_rerun(broker, api, tmp_path):
    us = Userstream(broker.bootstrap)
    topic, dlq, group, db, sink = set_up_run(us, tmp_path)
    killed = us.start("produce", "--api", api.url, "--topic", topic, "--count", "50000", "--batch", "500")
    wait_until(lambda: len(api.served) >= 10_000, "10000 users served", alive=[killed])
    assert killed.kill() == -signal.SIGKILL
    rerun = us.run("produce", "--api", api.url, "--topic", topic, "--count", "10000", "--batch", "500")
    produced = summary(rerun)
    assert produced["published"] == "10000" and produced["failed"] == "0", produced

    streamed = summary(us.run("stream", "--topic", topic, "--group", group, "--until-idle", "10", "--sink", sink))
    assert int(streamed["stored"]) >= 10_000

    verdict = check(broker.bootstrap, topic, dlq, group, db, served=api.served, summaries=[produced])
    assert verdict.figures() == (0, 0, 0), verdict
    assert verdict.unserved == 0, verdict
    assert_verified(us, topic, dlq, db)


def has_table(db) -> bool:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
            return connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'created_users'").fetchone() is not None
    except sqlite3.OperationalError:
        return False


def test_two_stream_replicas_one_sigkilled_during_a_rebalance(broker, api, tmp_path):
    us = Userstream(broker.bootstrap)
    topic, dlq, group = names()
    db, db2 = tmp_path / "users.db", tmp_path / "users-2.db"
    sink = f"sqlite:{db}"
    us.run("setup", "--topic", topic, "--partitions", "4", "--sink", sink)
    first_run = summary(us.run("produce", "--api", api.url, "--topic", topic, "--count", "5000", "--batch", "1000"))
    first = us.start("stream", "--topic", topic, "--group", group, "--sink", sink, name="stream replica 1")
    wait_until(lambda: sqlite_count(db) >= 5000, "replica 1 storing the first users", alive=[first])

    # Replica 1 is held inside a batch (the sink is locked), so the rebalance that replica 2's
    # join starts cannot complete while replica 1 lives: it is killed inside it. (Tansu's
    # DescribeGroups does not show the rebalance, so the event awaited is replica 2 having opened
    # its sink — the step before it joins.)
    lock = sqlite3.connect(db, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        second_run = summary(us.run("produce", "--api", api.url, "--topic", topic, "--count", "20000", "--batch", "1000"))
        first.await_match(SINK_FAILED)  # replica 1 retrying a write
        # Its own database: the shared one is locked. The sink is the union of the two.
        second = us.start("stream", "--topic", topic, "--group", group, "--sink", f"sqlite:{db2}", name="stream replica 2")
        wait_until(lambda: has_table(db2), "replica 2 to open its sink and join", alive=[first, second])
        first.kill()
        # The dead member's snapshot: whatever was committed must already be in the sink.
        during = collect(broker.bootstrap, topic, dlq, group, db, drained=False)
        during.sink_ids = sorted(set(during.sink_ids) | set(sqlite_ids(db2)))
        assert evaluate(during).committed_ahead == 0, evaluate(during)
    finally:
        lock.rollback()
        lock.close()

    union = lambda: set(sqlite_ids(db)) | set(sqlite_ids(db2))
    wait_until(lambda: len(union()) >= 25_000, "25000 users in the two databases", alive=[second], interval=0.5)
    second.kill(signal.SIGTERM)
    assert second.returncode == 0, f"replica 2 exited {second.returncode} on SIGTERM: {second.tail()}"
    history = collect(broker.bootstrap, topic, dlq, group, db, served=api.served, summaries=[first_run, second_run])
    history.sink_ids = sorted(union())
    verdict = evaluate(history)
    assert verdict.figures() == (0, 0, 0), verdict
    assert_verified(us, topic, dlq, db, also=[db2])
