"""`userstream up` finding its Tansu broker as the README runs it: no --tansu, from the checkout
(scripts/up.sh) and from any other folder; and when there is none, saying how to get one."""
import os
import shutil
import subprocess

from pipeline_fixtures import stored_count, summary
from processes import ROOT, userstream_bin

USERS = "2000"


def up(cwd, *args, env=None):
    environment = {k: v for k, v in os.environ.items() if k != "USERSTREAM_TANSU"}
    environment.update(env or {})
    return subprocess.run([str(userstream_bin()), "up", "--count", USERS, *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=600)


def assert_every_user_stored(result):
    assert result.returncode == 0, result.stderr[-3000:]
    totals = summary(result.stdout)
    assert totals["published"] == totals["stored"] == totals["rows_in_sink"] == USERS, totals


def test_up_without_tansu_flag_finds_the_checkouts_broker_from_the_checkout(tmp_path):
    # From the checkout, as scripts/up.sh runs it; sink and log in tmp_path, so the checkout's own stay as they are.
    result = up(ROOT, "--sink", f"sqlite:{tmp_path}/users.db", "--log-directory", str(tmp_path / "logs"))
    assert_every_user_stored(result)


def test_up_without_tansu_flag_finds_the_checkouts_broker_from_another_folder(tmp_path):
    result = up(tmp_path)
    assert_every_user_stored(result)
    assert stored_count(tmp_path / "data" / "users.db") == int(USERS)


def test_up_with_no_broker_anywhere_says_where_it_looked_and_how_to_get_one(tmp_path):
    # A copy of the binary outside any checkout, and a PATH without Tansu.
    built = os.environ.get("USERSTREAM_BIN", ROOT / ".build" / "debug" / "userstream")
    binary = tmp_path / "userstream"
    shutil.copy2(built, binary)
    result = subprocess.run([str(binary), "up", "--count", USERS], cwd=tmp_path, capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin"}, timeout=60)
    assert result.returncode == 64, result.stderr
    assert f"no Tansu broker found in {tmp_path}/.venv or PATH" in result.stderr, result.stderr
    assert "run scripts/setup.sh" in result.stderr and "--tansu PATH (env USERSTREAM_TANSU)" in result.stderr, result.stderr
