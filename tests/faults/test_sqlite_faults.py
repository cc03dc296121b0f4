"""The SQLite sink failing under `userstream stream`: locked past its busy window, read-only, out
of space, its directory deleted. Each ends with the history checker: nothing lost, nothing
duplicated, no offset committed for a record the sink does not have."""
import os
import shutil
import signal
import sqlite3
import subprocess

import pytest

from fault_fixtures import assert_verified, union_of
from history import check, collect, evaluate, sqlite_count, sqlite_ids
from pipeline_fixtures import names, summary
from processes import Userstream, give_to_run_as, wait_until

SINK_FAILED = "to the sink failed"  # the stream's warning when a write fails and is retried


@pytest.fixture
def tmpfs(tmp_path):
    """A 1 MiB tmpfs (root only); yields its path, unmounted afterwards."""
    where = tmp_path / "tmpfs"
    where.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0777", "tmpfs", str(where)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({result.stderr.strip() or 'mount failed'}): "
                    "a full or read-only file system needs one")
    yield where
    subprocess.run(["umount", "-l", str(where)], check=False)


def remount(where, options):
    subprocess.run(["mount", "-o", f"remount,{options}", str(where)], check=True)


def setup_and_produce(us, api, topic, sink, count):
    us.run("setup", "--topic", topic, "--partitions", "2", "--sink", sink)
    produced = summary(us.run("produce", "--api", api.url, "--topic", topic, "--count", str(count), "--batch", "1000"))
    assert produced["published"] == str(count) and produced["failed"] == "0", produced
    return produced


def finish(stream, db, count):
    wait_until(lambda: sqlite_count(db) >= count, f"{count} rows in the sink", alive=[stream])
    stream.kill(signal.SIGTERM)
    assert stream.returncode == 0, f"stream exited {stream.returncode} on SIGTERM: {stream.tail()}"


def test_sqlite_locked_past_the_busy_window(broker, api, tmp_path):
    us = Userstream(broker.bootstrap)
    topic, dlq, group = names()
    db = tmp_path / "users.db"
    sink = f"sqlite:{db}"
    first = setup_and_produce(us, api, topic, sink, 3000)
    stream = us.start("stream", "--topic", topic, "--group", group, "--sink", sink)
    wait_until(lambda: sqlite_count(db) >= 3000, "3000 rows", alive=[stream])
    lock = sqlite3.connect(db, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        second = summary(us.run("produce", "--api", api.url, "--topic", topic, "--count", "3000", "--batch", "1000"))
        stream.await_match(SINK_FAILED)  # a write failed past the busy window
        during = check(broker.bootstrap, topic, dlq, group, db, drained=False)
        assert during.committed_ahead == 0 and during.totals["committed"] <= 3000, during
    finally:
        lock.rollback()
        lock.close()
    finish(stream, db, 6000)
    verdict = check(broker.bootstrap, topic, dlq, group, db, served=api.served, summaries=[first, second])
    assert verdict.figures() == (0, 0, 0), verdict
    assert_verified(us, topic, dlq, db)


def make_read_only(directory, tmpfs_mount=None):
    if tmpfs_mount is not None:
        remount(tmpfs_mount, "ro")
    else:
        for entry in directory.iterdir():
            entry.chmod(0o444)
        directory.chmod(0o555)


def make_writable(directory, tmpfs_mount=None):
    if tmpfs_mount is not None:
        remount(tmpfs_mount, "rw")
    else:
        directory.chmod(0o755)
        for entry in directory.iterdir():
            entry.chmod(0o644)


def test_sqlite_read_only_is_refused_naming_it_and_nothing_is_committed(broker, api, tmp_path):
    # Root writes through file modes, so as root the sink sits on a tmpfs remounted read-only.
    tmpfs_mount = None
    directory = tmp_path / "sink"
    if os.geteuid() == 0:
        tmpfs_mount = tmp_path / "tmpfs"
        tmpfs_mount.mkdir()
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(tmpfs_mount)]).returncode != 0:
            pytest.skip("as root only a read-only mount makes a read-only sink, and mount -t tmpfs fails here")
        directory = tmpfs_mount / "sink"
    directory.mkdir()
    give_to_run_as(directory)
    try:
        us = Userstream(broker.bootstrap)
        topic, dlq, group = names()
        db = directory / "users.db"
        sink = f"sqlite:{db}"
        produced = setup_and_produce(us, api, topic, sink, 3000)
        make_read_only(directory, tmpfs_mount)
        refused = us.run("stream", "--topic", topic, "--group", group, "--until-idle", "10", "--sink", sink,
                         check=False, timeout=120)
        said = (refused.stdout + refused.stderr).decode(errors="replace")
        assert refused.returncode not in (0, 132, 134, 139), said[-2000:]
        assert str(directory) in said or str(db) in said, said[-2000:]
        during = check(broker.bootstrap, topic, dlq, group, db, drained=False)
        assert during.totals["committed"] == 0 and during.committed_ahead == 0, during

        make_writable(directory, tmpfs_mount)
        streamed = summary(us.run("stream", "--topic", topic, "--group", group, "--until-idle", "10", "--sink", sink))
        assert streamed["stored"] == "3000", streamed
        verdict = check(broker.bootstrap, topic, dlq, group, db, served=api.served, summaries=[produced])
        assert verdict.figures() == (0, 0, 0), verdict
        assert_verified(us, topic, dlq, db)
    finally:
        if tmpfs_mount is not None:
            subprocess.run(["umount", "-l", str(tmpfs_mount)], check=False)


def test_sqlite_disk_full_is_retried_until_there_is_room(broker, api, tmpfs):
    us = Userstream(broker.bootstrap)
    topic, dlq, group = names()
    db = tmpfs / "users.db"
    sink = f"sqlite:{db}"
    produced = setup_and_produce(us, api, topic, sink, 20_000)  # ~15 MB of users for 1 MiB of disk
    stream = us.start("stream", "--topic", topic, "--group", group, "--sink", sink)
    stream.await_match(SINK_FAILED)  # a write failed on a full disk
    during = check(broker.bootstrap, topic, dlq, group, db, drained=False)
    assert during.committed_ahead == 0, during
    assert sqlite_count(db) < 20_000
    remount(tmpfs, "size=256m")
    finish(stream, db, 20_000)
    verdict = check(broker.bootstrap, topic, dlq, group, db, served=api.served, summaries=[produced])
    assert verdict.figures() == (0, 0, 0), verdict
    assert_verified(us, topic, dlq, db)


def test_sqlite_directory_deleted_under_a_running_stream(broker, api, tmp_path):
    us = Userstream(broker.bootstrap)
    topic, dlq, group = names()
    directory = tmp_path / "data"
    db = directory / "users.db"
    sink = f"sqlite:{db}"
    first = setup_and_produce(us, api, topic, sink, 3000)
    stream = us.start("stream", "--topic", topic, "--group", group, "--sink", sink)
    wait_until(lambda: sqlite_count(db) >= 3000, "3000 rows", alive=[stream])
    wait_until(lambda: check(broker.bootstrap, topic, dlq, group, db, drained=False).totals["committed"] >= 3000,
               "3000 records committed", alive=[stream], interval=0.5)
    stored_before = sqlite_ids(db)
    rows_before = union_of(db)  # the rows, for `verify`: the operator deleted them
    shutil.rmtree(directory)

    second = summary(us.run("produce", "--api", api.url, "--topic", topic, "--count", "3000", "--batch", "1000"))
    assert second["published"] == "3000"

    def committed():
        return check(broker.bootstrap, topic, dlq, group, db, drained=False).totals["committed"]
    # The stream must notice: exit, or keep the new records out of the committed offsets until a
    # sink holds them. Wait for it to exit, or to have stored or committed all 6000.
    wait_until(lambda: stream.poll() is not None or sqlite_count(db) >= 3000 or committed() >= 6000,
               "the stream to exit, store or commit the new records", interval=0.5)
    if stream.poll() is None:
        stream.kill(signal.SIGTERM)
    # The users stored before the deletion count as stored: the operator deleted them.
    during = collect(broker.bootstrap, topic, dlq, group, db, drained=False)
    during.sink_ids = stored_before + during.sink_ids
    assert evaluate(during).committed_ahead == 0, \
        f"offsets committed for records no sink holds (stream output: {stream.tail()}): {evaluate(during)}"

    # Run again: the new users reach the sink.
    us.run("stream", "--topic", topic, "--group", group, "--until-idle", "10", "--sink", sink)
    history = collect(broker.bootstrap, topic, dlq, group, db, served=api.served, summaries=[first, second])
    history.sink_ids = stored_before + history.sink_ids
    verdict = evaluate(history)
    assert verdict.figures() == (0, 0, 0), verdict
    assert_verified(us, topic, dlq, rows_before, also=[db])
