"""`userstream spark submit` against a real Spark Connect server (SPARK_REMOTE, set by
scripts/test.sh): bad input comes back as a clear error, a good job starts."""
import os
import subprocess
import uuid

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("USERSTREAM_BIN", os.path.join(ROOT, ".build", "debug", "userstream"))
REMOTE = os.environ.get("SPARK_REMOTE")

pytestmark = pytest.mark.skipif(REMOTE is None or not os.path.exists(BINARY),
                                reason="needs SPARK_REMOTE and a built userstream; run scripts/test.sh, which starts one")


def submit(tmp_path, *arguments):
    return subprocess.run(
        [BINARY, "spark", "submit", "--remote", REMOTE, "--detach",
         "--checkpoint", str(tmp_path / ("checkpoint-" + uuid.uuid4().hex)), *arguments],
        capture_output=True, text=True, timeout=300)


def test_unknown_sink_format_is_a_clear_error(tmp_path):
    result = submit(tmp_path, "--source", "rate", "--sink", "no.such.sink")
    assert result.returncode != 0
    assert "Spark rejected the request" in result.stderr
    assert "no.such.sink" in result.stderr


def test_bad_source_schema_is_a_clear_error(tmp_path):
    (tmp_path / "in").mkdir()
    result = submit(tmp_path, "--source", "json", "--source-option", "path=%s" % (tmp_path / "in"),
                    "--source-schema", "value STRNG", "--sink", "json",
                    "--sink-option", "path=%s" % (tmp_path / "out"))
    assert result.returncode != 0
    assert "Spark rejected the request" in result.stderr
    assert "STRNG" in result.stderr


def test_bad_option_is_a_usage_error(tmp_path):
    result = submit(tmp_path, "--source", "rate", "--source-option", "no-equals-sign")
    assert result.returncode != 0
    assert "is not key=value" in result.stderr


def test_submitted_query_shows_in_status_and_stops(tmp_path):
    started = submit(tmp_path, "--source", "rate", "--sink", "json",
                     "--sink-option", "path=%s" % (tmp_path / "out"), "--trigger", "1 second")
    assert started.returncode == 0, started.stderr
    query_id = started.stdout.split()[2]
    rejoin = started.stdout.split("--remote '")[1].split("'")[0]

    def spark(*arguments):
        return subprocess.run([BINARY, "spark", *arguments, "--remote", rejoin],
                              capture_output=True, text=True, timeout=120)

    status = spark("status")
    assert status.returncode == 0, status.stderr
    assert "query %s" % query_id in status.stdout
    assert "active=true" in status.stdout
    stopped = spark("stop")
    assert "stopped query %s" % query_id in stopped.stdout
    assert "no active queries" in spark("status").stdout
