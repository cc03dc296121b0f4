"""userstream as an ordinary user. The unprivileged CI stage sets USERSTREAM_RUN_AS=65534:65534,
so every userstream the tests start runs as that uid; these tests check that it really does, and
(in any stage run as root) that an ordinary user can reach Kafka at all."""
import os
import shutil
import sqlite3
import subprocess
import tempfile

import pytest

from pipeline_fixtures import FIELDS
from processes import StandInAPI, _run_as_wrapper, run_as, userstream_bin

NOBODY = "65534:65534"


def ids_of(pid: int) -> dict:
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("Uid", "Gid", "Groups"):
                fields[name] = value.split()
    return fields


def test_userstream_runs_as_the_run_as_user():
    if not run_as():
        pytest.skip("USERSTREAM_RUN_AS is not set: this stage runs userstream as the current user")
    uid, gid = run_as()
    api = StandInAPI()  # a long-running userstream process to look at
    try:
        ids = ids_of(api.process.pid)
    finally:
        api.stop()
    assert ids["Uid"] == [str(uid)] * 4, ids  # real, effective, saved, filesystem
    assert ids["Gid"] == [str(gid)] * 4, ids
    assert ids["Groups"] == [], ids


def test_an_ordinary_user_can_list_kafka_topics(broker):
    """Connecting to Kafka needs no privilege (as root a socket option can succeed that an
    ordinary user is refused)."""
    if run_as():
        binary = userstream_bin()
    elif os.geteuid() == 0:
        binary = _run_as_wrapper(str(userstream_bin()), NOBODY)
    else:
        binary = userstream_bin()
    result = subprocess.run([str(binary), "kafka", "topics", "list", "--bootstrap-servers", broker.bootstrap],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr[-1500:]}"


def test_an_ordinary_user_can_query_a_sink_another_user_writes():
    """A WAL database is read where its -shm file can be made, else as immutable when it has no
    -wal file: `query` by a user who may not write the sink's folder still sees every row."""
    binary = userstream_bin() if run_as() or os.geteuid() != 0 else _run_as_wrapper(str(userstream_bin()), NOBODY)
    folder = tempfile.mkdtemp(prefix="userstream-shared-sink-")
    try:
        db = os.path.join(folder, "users.db")
        with sqlite3.connect(db) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("CREATE TABLE created_users (id TEXT PRIMARY KEY, "
                               + ", ".join(f"{f} TEXT NOT NULL" for f in FIELDS[1:]) + ")")
            connection.execute(f"INSERT INTO created_users VALUES ({', '.join('?' * len(FIELDS))})",
                               ["0b7e2c1a-5f0e-4d1e-9a4b-6c1d2e3f4a5b"] + [f"{f}-value" for f in FIELDS[1:]])
        connection.close()  # the last connection checkpoints: no -wal or -shm is left
        assert not os.path.exists(db + "-wal") and not os.path.exists(db + "-shm")
        os.chmod(folder, 0o755)
        os.chmod(db, 0o644)
        result = subprocess.run([str(binary), "query", "--sink", f"sqlite:{db}", "--limit", "1"],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"exit {result.returncode}: {result.stderr[-1500:]}"
        assert "0b7e2c1a-5f0e-4d1e-9a4b-6c1d2e3f4a5b" in result.stdout, result.stdout
        assert not os.path.exists(db + "-shm"), "the reader changed the sink's folder"
    finally:
        shutil.rmtree(folder)
