"""The binary through faults a deployment meets: its SQLite directory deleted under it, its topic
created after it started, the broker unreachable for a few seconds. Real processes throughout:
a Tansu broker, the stand-in API, `userstream produce` and `userstream stream`."""
import json
import re
import shutil
import signal
import socket
import threading
import time

import pytest
from kafka import KafkaConsumer, TopicPartition

from kafka_fixtures import consume_kafka_python
from pipeline_fixtures import names, stored_count, summary
from processes import Broker, StandInAPI, Userstream, wait_until


def committed_total(bootstrap: str, topic: str, group: str, partitions: int) -> int:
    reader = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    try:
        return sum(reader.committed(TopicPartition(topic, p)) or 0 for p in range(partitions))
    finally:
        reader.close()


def test_stream_stops_without_committing_when_its_database_directory_is_deleted(userstream, broker, api, tmp_path):
    topic, _, group = names()
    data = tmp_path / "data"
    db = data / "users.db"
    userstream.run("setup", "--topic", topic, "--partitions", "1", "--sink", f"sqlite:{db}")
    userstream.run("produce", "--api", api, "--topic", topic, "--count", "20")
    stream = userstream.start("stream", "--topic", topic, "--group", group, "--sink", f"sqlite:{db}")
    wait_until(lambda: committed_total(broker.bootstrap, topic, group, 1) == 20, "the first 20 users committed",
               120, alive=[stream])

    shutil.rmtree(data)  # rm -rf data/
    userstream.run("produce", "--api", api, "--topic", topic, "--count", "30")
    code = stream.wait(120)

    assert code != 0, f"stream went on writing into a deleted database: {stream.log[-2000:]}"
    assert "was deleted" in stream.log
    # Not one of the 30 users written since is committed: they are read again after a restart.
    assert committed_total(broker.bootstrap, topic, group, 1) == 20


def test_stream_started_before_its_topic_exists_says_so_and_reads_it_once_created(userstream, broker, api, tmp_path):
    topic, _, group = names()
    db = tmp_path / "users.db"
    stream = userstream.start("stream", "--topic", topic, "--group", group, "--sink", f"sqlite:{db}")
    stream.await_match(re.escape(f"topic '{topic}' does not exist yet"), timeout=120)
    # The group has a member but nothing to measure its lag against: `kafka groups` says so
    # instead of reporting lag 0.
    groups = lambda: userstream.run("kafka", "groups", group).stderr.decode()
    wait_until(lambda: "1 members" in groups(), "the stream to join its group", 120, alive=[stream])
    assert "lag unknown" in groups() and "total lag" not in groups()

    userstream.run("setup", "--topic", topic, "--partitions", "2", "--sink", f"sqlite:{db}")
    userstream.run("produce", "--api", api, "--topic", topic, "--count", "40")
    wait_until(lambda: committed_total(broker.bootstrap, topic, group, 2) == 40, "the 40 users committed",
               120, alive=[stream])

    code = stream.kill(signal.SIGTERM, 120)
    assert code == 0, stream.log[-2000:]
    assert stream.summary()["stored"] == "40"
    assert stored_count(db) == 40


class FlakyBroker:
    """A Tansu broker that clients reach through a TCP proxy, which can make it unreachable:
    while down, the proxy resets every connection it holds and every new one."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.tansu = Broker(schema_registry=False, advertised=self.bootstrap)
        self.backend_port = self.tansu.port
        self.down = False
        self.lock = threading.Lock()
        self.open = []
        self.forwarded = 0
        self.cut_after = None
        self.cut_for = 0.0
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                down = self.down
            if down:
                self._reset(client)
                continue
            upstream = socket.create_connection(("127.0.0.1", self.backend_port))
            with self.lock:
                self.open += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source, target, to_broker):
        try:
            while chunk := source.recv(65536):
                target.sendall(chunk)
                if to_broker:
                    self._count(len(chunk))
        except OSError:
            pass
        for s in (source, target):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _count(self, n):
        with self.lock:
            self.forwarded += n
            due = self.cut_after is not None and self.forwarded >= self.cut_after
            if due:
                self.cut_after = None
        if due:
            self.outage(self.cut_for)

    @staticmethod
    def _reset(s):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()

    def outage(self, seconds: float):
        """Unreachable for `seconds` (the fault's length), starting now."""
        with self.lock:
            self.down = True
            held, self.open = self.open, []
        for s in held:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.outages_started.set()

        def end():
            time.sleep(seconds)
            with self.lock:
                self.down = False
            self.outages_ended.set()
        threading.Thread(target=end, daemon=True).start()

    outages_started = None
    outages_ended = None

    def outage_after(self, forwarded_bytes: int, seconds: float):
        """An outage once clients have sent `forwarded_bytes` more to the broker."""
        self.outages_started, self.outages_ended = threading.Event(), threading.Event()
        with self.lock:
            self.cut_after = self.forwarded + forwarded_bytes
            self.cut_for = seconds

    def stop(self):
        self.listener.close()
        self.tansu.stop()


@pytest.fixture
def flaky_broker():
    b = FlakyBroker()
    yield b
    b.stop()


@pytest.fixture
def flaky_userstream(userstream, flaky_broker):
    return Userstream(flaky_broker.bootstrap)


def test_stream_rides_out_a_broker_unreachable_for_three_seconds(flaky_userstream, flaky_broker, api, tmp_path):
    us, bootstrap = flaky_userstream, flaky_broker.bootstrap
    topic, _, group = names()
    db = tmp_path / "users.db"
    us.run("setup", "--topic", topic, "--partitions", "2", "--sink", f"sqlite:{db}")
    us.run("produce", "--api", api, "--topic", topic, "--count", "20")
    stream = us.start("stream", "--topic", topic, "--group", group, "--sink", f"sqlite:{db}")
    wait_until(lambda: committed_total(bootstrap, topic, group, 2) == 20, "the first 20 users committed", 120, alive=[stream])

    flaky_broker.outage_after(0, 3.0)
    flaky_broker.outages_started.wait(60)  # the stream's next fetch or heartbeat starts it
    flaky_broker.outages_ended.wait(60)
    us.run("produce", "--api", api, "--topic", topic, "--count", "30")
    wait_until(lambda: committed_total(bootstrap, topic, group, 2) == 50, "all 50 users committed after the outage",
               120, alive=[stream])

    code = stream.kill(signal.SIGTERM, 120)
    assert code == 0, stream.log[-2000:]
    assert stored_count(db) == 50
    assert "reconnecting" in stream.log or "cannot" in stream.log, "the outage went unnoticed; the test proved nothing"


def test_produce_rides_out_a_broker_unreachable_for_three_seconds(flaky_userstream, flaky_broker, tmp_path):
    us, bootstrap = flaky_userstream, flaky_broker.bootstrap
    topic, _, _ = names()
    us.run("setup", "--topic", topic, "--partitions", "2", "--skip-sink")
    slow_api = StandInAPI("--latency-ms", "20")
    try:
        # Cut once a few hundred users went out, while the rest are still being fetched.
        flaky_broker.outage_after(300_000, 3.0)
        result = us.run("produce", "--api", slow_api.url, "--topic", topic, "--count", "3000", "--batch", "50",
                        "--concurrency", "2", check=False, timeout=300)  # the timeout only ends a hang
    finally:
        slow_api.stop()
    assert flaky_broker.outages_started.is_set(), "the outage never started; the test proved nothing"
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    produced = summary(result)
    assert produced["published"] == "3000" and produced["failed"] == "0"
    ids = {json.loads(value)["id"] for _, _, value, _ in consume_kafka_python(bootstrap, topic, 2, 3000)}
    assert len(ids) == 3000


OUTAGE_MESSAGE = "Uh oh, something has gone wrong. Please tweet us @randomapi about the issue. Thank you."


def test_produce_retries_the_apis_outage_answer_then_publishes_its_count(userstream, broker):
    # randomuser.me answers 200 {"error": …} while it is down: that passes, so it is retried.
    topic, _, _ = names()
    userstream.run("setup", "--topic", topic, "--partitions", "1", "--skip-sink")
    outage_api = StandInAPI("--outage-requests", "3")
    try:
        result = userstream.run("produce", "--api", outage_api.url, "--topic", topic, "--count", "200",
                                "--batch", "100", "--concurrency", "1", check=False, timeout=300)
    finally:
        outage_api.stop()
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    produced = summary(result)
    assert produced["published"] == "200" and produced["retries"] == "3", produced
    assert f'api_error="{OUTAGE_MESSAGE}"' in result.stdout.decode(), result.stdout.decode()
    ids = {json.loads(value)["id"] for _, _, value, _ in consume_kafka_python(broker.bootstrap, topic, 1, 200)}
    assert len(ids) == 200


def test_produce_fails_naming_the_apis_message_when_the_outage_outlasts_the_retries(userstream, broker):
    topic, _, _ = names()
    userstream.run("setup", "--topic", topic, "--partitions", "1", "--skip-sink")
    outage_api = StandInAPI("--outage-requests", "1000000")
    try:
        run = userstream.start("produce", "--api", outage_api.url, "--topic", topic, "--count", "10", "--batch", "10")
        progress = run.await_match(re.escape("produce: fetched=0"), timeout=120).string
        code, out = run.wait(300), run.stdout
    finally:
        outage_api.stop()
    assert f'api_error="{OUTAGE_MESSAGE}"' in progress, progress
    assert code == 1, run.log[-2000:]
    error = [l for l in run.log.splitlines() if "error:" in l][-1]
    assert f"the API answered: {OUTAGE_MESSAGE}" in error and "failed 5 requests in a row" in error, error
    assert f'api_error="{OUTAGE_MESSAGE}"' in out and "published=0" in out, out
