"""Messages that must say what is true and what to do: a record over the producer's limit, a
folder `up` cannot write, a broker advertising an IPv6 host, and `--version`."""
import os
import re
import shutil
import socket
import subprocess
import tempfile

from pipeline_fixtures import names
from processes import ROOT, Broker, Userstream, _run_as_wrapper, run_as, tansu_bin, userstream_bin

NOBODY = "65534:65534"


def test_a_record_over_the_producers_limit_names_that_limit_and_the_flag_that_raises_it(userstream):
    topic, _, _ = names()
    userstream.run("kafka", "topics", "create", topic, "--partitions", "1")
    big = b"x" * 1_100_000 + b"\n"
    refused = userstream.run("kafka", "produce", topic, input=big, check=False)
    message = refused.stderr.decode()
    assert refused.returncode != 0, message
    # The size as it goes into a batch: the value and the record's own framing.
    assert re.search(r"record of 1100\d{3} bytes is larger than the producer's maximum record size of 1048588 bytes", message), message
    assert "--max-record-bytes" in message, message
    assert "max.message.bytes on the topic" not in message, message  # the topic's setting cannot lift this limit

    raised = userstream.run("kafka", "produce", topic, "--max-record-bytes", "2000000", input=big, check=False)
    assert raised.returncode == 0, raised.stderr.decode()
    consumed = userstream.run("kafka", "consume", topic, "--from-beginning", "--count", "1")
    assert len(consumed.stdout) > 1_100_000


def test_up_in_a_folder_it_cannot_write_names_the_folder_and_the_flag_that_moves_it():
    # An ordinary user in a folder that is root's: as root, every folder is writable.
    binary = userstream_bin() if run_as() or os.geteuid() != 0 else _run_as_wrapper(str(userstream_bin()), NOBODY)
    folder = tempfile.mkdtemp(prefix="userstream-read-only-")
    try:
        os.chmod(folder, 0o755)
        result = subprocess.run([str(binary), "up", "--count", "10", "--tansu", str(tansu_bin())],
                                cwd=folder, capture_output=True, text=True, timeout=120)
        assert result.returncode != 0, result.stderr
        assert f"cannot use {folder}/logs for the broker's log" in result.stderr, result.stderr
        assert "--log-directory" in result.stderr, result.stderr
        assert "NSCocoaErrorDomain" not in result.stderr, result.stderr
    finally:
        shutil.rmtree(folder)


def free_ipv6_loopback_port() -> int:
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
        probe.bind(("::1", 0))
        return probe.getsockname()[1]


def test_a_broker_advertising_an_ipv6_host_is_dialled_at_that_host():
    """Tansu advertises `[::1]` in its metadata, brackets included."""
    broker = Broker(schema_registry=False, host="::1", port=free_ipv6_loopback_port())
    try:
        us = Userstream(broker.bootstrap)
        run = lambda *args, **kw: us.run(*args, check=False, timeout=120, **kw)
        created = run("kafka", "topics", "create", "v6", "--partitions", "1")
        assert created.returncode == 0, created.stderr.decode()
        produced = run("kafka", "produce", "v6", input=b"over ipv6\n")
        assert produced.returncode == 0, produced.stderr.decode()
        assert b"[[" not in produced.stderr, produced.stderr.decode()
        consumed = run("kafka", "consume", "v6", "--from-beginning", "--count", "1")
        assert consumed.returncode == 0, consumed.stderr.decode()
        assert b"over ipv6" in consumed.stdout, consumed.stdout.decode()
    finally:
        broker.stop()


def test_version_prints_the_version_and_the_commit_it_was_built_from():
    result = subprocess.run([str(userstream_bin()), "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    head = subprocess.run(["git", "-C", str(ROOT), "-c", "safe.directory=*", "rev-parse", "--short=12", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # "-modified" while tracked files differ from the commit (never in CI's fresh clone).
    assert re.fullmatch(rf"userstream \d+\.\d+\.\d+ \(commit {head}(-modified)?\)\n", result.stdout), result.stdout
