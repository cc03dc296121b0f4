"""Watching the pipeline on a real Tansu broker: `/metrics` against the run's real counts,
`userstream status` against kafka-python's admin client, and the status page in headless
Chromium against `status --json`."""
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import urllib.request
from html.parser import HTMLParser

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import OffsetSpec
from kafka.structs import OffsetAndMetadata
from prometheus_client.parser import text_string_to_metric_families

from png_image import read_png
from pipeline_fixtures import names, summary
from processes import ROOT, Process, free_port, tansu_bin, wait_until

LISTENING = re.compile(r"status page on (http://\S+/) ")
# The README's picture of the page; the test refreshes it only when asked (USERSTREAM_UPDATE_DOCS=1).
DOCS_SCREENSHOT = ROOT / "docs" / "status-page.png"


class Serving(Process):
    """A userstream command run with `--http 127.0.0.1:0`; `url` is the page it announced."""

    def __init__(self, userstream, *args, cwd=None):
        super().__init__([userstream.bin, *args, "--http", "127.0.0.1:0"], userstream.env, cwd, f"userstream {args[0]}")
        self.url = self.await_match(LISTENING.pattern, timeout=300).group(1)

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=10) as response:
            return response.read().decode()

    def report(self) -> dict:
        return json.loads(self.get("status.json"))

    def until(self, holds, what: str, timeout: float = 120) -> dict:
        """Polls /status.json until `holds(report)`, and returns that report."""
        def reached():
            report = self.report()
            return report if report.get("topic") is not None and holds(report) else None
        return wait_until(reached, what, timeout, interval=0.1, alive=[self])

    def stop(self) -> str:
        """SIGTERM, then the process's standard output."""
        code = self.kill(signal.SIGTERM, 60)
        assert code == 0, f"exited {code}: {self.log[-2000:]}"
        return self.stdout


def metric_samples(text: str) -> dict:
    """{(sample name, frozenset(labels)): value} from Prometheus text."""
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def send_bad_records(bootstrap: str, topic: str) -> dict:
    """Records the processor must dead-letter; returns their count per reason."""
    bad = {"not_json": [b"not json", b"{\"id\": "], "not_object": [b"[1, 2]"], "null_value": [None]}
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for values in bad.values():
        for value in values:
            producer.send(topic, key=b"bad", value=value).get(timeout=30)
    producer.close()
    return {reason: len(values) for reason, values in bad.items()}


def records_in(bootstrap: str, topic: str, partitions: int) -> int:
    """Records read back from the start of every partition (values may be null)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, consumer_timeout_ms=10000)
    tps = [TopicPartition(topic, p) for p in range(partitions)]
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    count = sum(1 for _ in consumer)
    consumer.close()
    return count


def test_metrics_equal_what_the_stream_run_did(userstream, broker, api, tmp_path):
    topic, dlq, group = names()
    db = tmp_path / "users.db"
    sink = f"sqlite:{db}"
    userstream.run("setup", "--topic", topic, "--partitions", "3", "--sink", sink)
    users = 3000
    produced = summary(userstream.run("produce", "--api", api, "--topic", topic, "--count", str(users), "--batch", "500").stdout.decode())
    assert produced["published"] == str(users)
    bad = send_bad_records(broker.bootstrap, topic)
    records = users + sum(bad.values())

    stream = Serving(userstream, "stream", "--topic", topic, "--group", group, "--sink", sink, "--status-interval", "0.2")
    stream.until(lambda r: r["committed_total"] == records and r["total_lag"] == 0, f"all {records} records committed")
    samples = metric_samples(stream.get("metrics"))
    streamed = summary(stream.stop())

    def value(name, **labels):
        return samples.get((name, frozenset(labels.items())))

    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT COUNT(*) FROM created_users").fetchone()[0]
    assert value("userstream_records_consumed_total") == records == int(streamed["consumed"])
    assert value("userstream_users_stored_total") == users == int(streamed["stored"]) == rows
    dead_lettered = {dict(labels)["reason"]: v for (name, labels), v in samples.items()
                     if name == "userstream_records_dead_lettered_total"}
    assert dead_lettered == bad
    assert sum(dead_lettered.values()) == int(streamed["dead_lettered"]) == records_in(broker.bootstrap, dlq, 3)
    assert value("userstream_sink_write_retries_total") == int(streamed["write_retries"])
    assert value("userstream_end_to_end_latency_seconds_count") == users
    assert value("userstream_batch_size_sum") == records
    assert value("userstream_sink_write_seconds_count") >= 1
    for partition in range(3):
        assert value("userstream_consumer_lag", topic=topic, partition=str(partition)) == 0


def test_up_metrics_equal_its_summary_and_the_data(userstream, tmp_path):
    up = Serving(userstream, "up", "--count", "5000", "--batch", "500", "--tansu", str(tansu_bin()), cwd=tmp_path)
    up.await_match(r"status page stays up", timeout=300)
    samples = metric_samples(up.get("metrics"))
    health = up.get("healthz")
    totals = summary(up.stop())

    def value(name):
        return samples.get((name, frozenset()))

    with sqlite3.connect(tmp_path / "data" / "users.db") as connection:
        rows = connection.execute("SELECT COUNT(*) FROM created_users").fetchone()[0]
    assert health == "ok\n"
    assert value("userstream_users_fetched_total") == value("userstream_users_published_total") == int(totals["published"]) == 5000
    assert value("userstream_users_failed_total") == 0
    assert value("userstream_users_stored_total") == int(totals["stored"]) == rows == 5000
    assert value("userstream_records_consumed_total") == 5000
    assert value("userstream_end_to_end_latency_seconds_count") == 5000


def test_status_json_lag_equals_kafka_pythons_admin_client(userstream, broker, tmp_path):
    topic, dlq, group = names()
    userstream.run("setup", "--topic", topic, "--partitions", "3", "--skip-sink")
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
    for partition, count in enumerate((10, 12, 7)):
        for n in range(count):
            producer.send(topic, partition=partition, value=f"{partition}-{n}".encode()).get(timeout=30)
    producer.close()
    tps = [TopicPartition(topic, p) for p in range(3)]
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    admin.alter_group_offsets(group, {tp: OffsetAndMetadata(offset, "", -1) for tp, offset in zip(tps, (4, 12, 1))})

    committed = admin.list_group_offsets({group: None})[group]
    ends = admin.list_partition_offsets({tp: OffsetSpec.LATEST for tp in tps})
    admin.close()
    expected = {tp.partition: ends[tp].offset - committed[tp].offset for tp in tps}
    assert expected == {0: 6, 1: 0, 2: 6}

    result = userstream.run("status", "--json", "--topic", topic, "--group", group, "--sink", f"sqlite:{tmp_path}/users.db")
    status = json.loads(result.stdout)
    assert {p["partition"]: p["lag"] for p in status["partitions"]} == expected
    assert {p["partition"]: p["committed_offset"] for p in status["partitions"]} == {tp.partition: committed[tp].offset for tp in tps}
    assert {p["partition"]: p["end_offset"] for p in status["partitions"]} == {tp.partition: ends[tp].offset for tp in tps}
    assert status["total_lag"] == 12 and status["dlq_size"] == 0
    assert summary(result.stderr.decode())["lag"] == "12"

    table = userstream.run("status", "--topic", topic, "--group", group, "--sink", f"sqlite:{tmp_path}/users.db").stdout.decode()
    assert re.search(r"^0\s+10\s+4\s+6\s*$", table, re.M), table
    # No sink yet: status reads it without creating it.
    assert summary(table) == {"partitions": "3", "end_offsets": "29", "committed": "17", "lag": "12", "dlq": "0", "rows": "unknown"}
    assert not (tmp_path / "users.db").exists()


def test_status_fails_when_the_broker_cannot_be_reached(userstream, tmp_path):
    result = userstream.run("status", "--bootstrap-servers", f"127.0.0.1:{free_port()}", "--sink", f"sqlite:{tmp_path}/u.db",
                            "--request-timeout", "2", check=False, timeout=120)
    assert result.returncode != 0
    assert b"cannot reach the broker" in result.stderr


class PageFigures(HTMLParser):
    """The figures the status page rendered: elements by id, partition rows, chart series."""

    def __init__(self):
        super().__init__()
        self.by_id, self.partitions, self.series, self.last_write = {}, {}, {}, None
        self._open_id = self._row = self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self._open_id = attrs["id"]
            self.by_id.setdefault(self._open_id, "")
        if tag == "tr" and "data-partition" in attrs:
            self._row = int(attrs["data-partition"])
            self.partitions[self._row] = {}
        if tag == "td" and self._row is not None:
            self._cell = attrs.get("class")
        if tag == "polyline" and "data-series" in attrs:
            self.series[attrs["data-series"]] = [float(v) for v in attrs.get("data-values", "").split()]
        if "data-time" in attrs:
            self.last_write = attrs["data-time"]

    def handle_endtag(self, tag):
        self._open_id = None
        if tag == "td":
            self._cell = None
        if tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._open_id:
            self.by_id[self._open_id] += data.strip()
        if self._row is not None and self._cell:
            self.partitions[self._row][self._cell] = data.strip()


def chromium(*args) -> subprocess.CompletedProcess:
    binary = subprocess.run([str(ROOT / "scripts" / "setup-chromium.sh")], check=True, capture_output=True, text=True).stdout.strip()
    return subprocess.run([binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", *args],
                          capture_output=True, text=True, timeout=120, check=True)


def test_status_page_in_chromium_shows_charts_with_data_and_the_figures_of_status_json(userstream, broker, api, tmp_path):
    topic, dlq, group = names()
    sink = f"sqlite:{tmp_path}/users.db"
    userstream.run("setup", "--topic", topic, "--partitions", "3", "--sink", sink)
    page_server = Serving(userstream, "status", "--topic", topic, "--group", group, "--sink", sink, "--status-interval", "0.2")
    stream = None
    try:
        # A backlog first, seen by the page before any processor runs: the lag chart rises…
        userstream.run("produce", "--api", api, "--topic", topic, "--count", "4000", "--batch", "500")
        page_server.until(lambda r: r["total_lag"] == 4000, "a backlog of 4000")
        # …and falls once the stream processor is started; more bursts while it runs.
        stream = userstream.start("stream", "--topic", topic, "--group", group, "--sink", sink)
        total = 4000
        for burst in (1500, 3000):
            page_server.until(lambda r: r["committed_total"] == total and r["total_lag"] == 0, f"{total} records committed")
            userstream.run("produce", "--api", api, "--topic", topic, "--count", str(burst), "--batch", "500")
            total += burst
        bad = send_bad_records(broker.bootstrap, topic)
        users, total = total, total + sum(bad.values())
        page_server.until(lambda r: r["committed_total"] == total and r["dlq_size"] == sum(bad.values())
                          and r["sink"]["rows"] == users, "everything stored or dead-lettered")

        dom = chromium("--virtual-time-budget=5000", "--dump-dom", page_server.url).stdout
        screenshot = tmp_path / "status-page.png"
        chromium("--virtual-time-budget=5000", f"--screenshot={screenshot}", "--window-size=1120,640", page_server.url)
        status = json.loads(userstream.run("status", "--json", "--topic", topic, "--group", group, "--sink", sink).stdout)
    finally:
        if stream:
            stream.kill(signal.SIGTERM, 60)
        page_server.stop()

    page = PageFigures()
    page.feed(dom)
    assert page.by_id["topic"] == topic and page.by_id["group"] == group
    assert int(page.by_id["end-offset-total"]) == status["end_offset_total"] == total
    assert int(page.by_id["committed-total"]) == status["committed_total"] == total
    assert int(page.by_id["total-lag"]) == status["total_lag"] == 0
    assert int(page.by_id["dlq-size"]) == status["dlq_size"] == sum(bad.values())
    assert int(page.by_id["sink-rows"]) == status["sink"]["rows"] == users
    assert page.last_write == status["sink"]["last_write"] and page.last_write
    assert page.partitions == {
        p["partition"]: {"partition": str(p["partition"]), "end-offset": str(p["end_offset"]),
                         "committed-offset": str(p["committed_offset"]), "lag": str(p["lag"])}
        for p in status["partitions"]}
    # The charts drew the run: the backlog's lag, then produced and committed rates.
    assert max(page.series["lag"]) == 4000 and page.series["lag"][-1] == 0
    assert max(page.series["produced"]) > 0 and max(page.series["committed"]) > 0

    width, height, rows = read_png(screenshot)
    assert (width, height) == (1120, 640)
    for name, color in (("produced", (0x25, 0x63, 0xEB)), ("committed", (0x16, 0xA3, 0x4A)), ("lag", (0xDC, 0x26, 0x26))):
        heights = {y for y, row in enumerate(rows) for pixel in row if pixel == color}
        # A line with data spans many pixel rows; the legend's swatch alone spans three.
        assert len(heights) > 8, f"the {name} line is flat or missing in {screenshot}"
    if os.environ.get("USERSTREAM_UPDATE_DOCS") == "1":
        shutil.copyfile(screenshot, DOCS_SCREENSHOT)
