"""Connections cut, stalled and black-holed by the fault proxy — between userstream and the broker
(which advertises the proxy's address, so every connection goes through it) and between `produce`
and the API. Each fault lasts until userstream has noticed it (it opens a new connection through
the proxy); then the proxy passes again and the run must finish with every user, which the
history checker confirms."""
import signal

import pytest

from fault_fixtures import assert_verified, set_up_run
from history import check, sqlite_count
from processes import Userstream, wait_until
from proxy import FaultProxy

MODES = ["cut", "stall", "blackhole"]


def hold_fault_until_noticed(proxy, mode, alive):
    before = proxy.accepted
    proxy.mode = mode
    try:
        wait_until(lambda: proxy.accepted > before, f"a new connection through the {mode} proxy", alive=alive)
    finally:
        proxy.mode = "pass"


def finish(us, produce, stream, db, count):
    assert produce.wait() == 0, f"produce exited {produce.returncode}: {produce.tail()}"
    produced = produce.summary()
    assert produced["published"] == str(count) and produced["failed"] == "0", produced
    wait_until(lambda: sqlite_count(db) >= count, f"{count} rows", alive=[stream])
    stream.kill(signal.SIGTERM)
    assert stream.returncode == 0, f"stream exited {stream.returncode} on SIGTERM: {stream.tail()}"
    return produced


@pytest.mark.parametrize("mode", MODES)
def test_broker_connections_faulted(mode, proxied_broker, slow_api, tmp_path):
    api = slow_api
    broker, proxy = proxied_broker
    us = Userstream(broker.bootstrap)
    topic, dlq, group, db, sink = set_up_run(us, tmp_path)
    count = 15_000
    produce = us.start("produce", "--api", api.url, "--topic", topic, "--count", str(count), "--batch", "200",
                       "--concurrency", "1", "--request-timeout", "5")
    stream = us.start("stream", "--topic", topic, "--group", group, "--sink", sink, "--request-timeout", "5")
    wait_until(lambda: len(api.served) >= 3000, "users served", alive=[produce, stream])
    assert produce.poll() is None, "produce finished before the fault; the test would prove nothing"
    hold_fault_until_noticed(proxy, mode, [produce, stream])
    produced = finish(us, produce, stream, db, count)
    verdict = check(broker.bootstrap, topic, dlq, group, db, served=api.served, summaries=[produced])
    assert verdict.figures() == (0, 0, 0), verdict
    assert_verified(us, topic, dlq, db)


@pytest.mark.parametrize("mode", MODES)
def test_api_connections_faulted(mode, broker, slow_api, tmp_path):
    api = slow_api
    proxy = FaultProxy(("127.0.0.1", api.port))
    try:
        us = Userstream(broker.bootstrap)
        topic, dlq, group, db, sink = set_up_run(us, tmp_path)
        count = 10_000
        produce = us.start("produce", "--api", f"http://{proxy.address}/api/", "--topic", topic, "--count", str(count),
                           "--batch", "200", "--concurrency", "1", "--api-timeout", "3")
        stream = us.start("stream", "--topic", topic, "--group", group, "--sink", sink)
        wait_until(lambda: len(api.served) >= 3000, "users served", alive=[produce, stream])
        assert produce.poll() is None, "produce finished before the fault; the test would prove nothing"
        hold_fault_until_noticed(proxy, mode, [produce, stream])
        produced = finish(us, produce, stream, db, count)
        verdict = check(broker.bootstrap, topic, dlq, group, db, served=api.served, summaries=[produced])
        assert verdict.figures() == (0, 0, 0), verdict
        assert_verified(us, topic, dlq, db)
    finally:
        proxy.close()
