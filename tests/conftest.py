"""Fixtures for the cross-client tests: a real Tansu broker started by the repo's
own script, and the built userstream binary."""
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def userstream_path() -> Path:
    path = Path(os.environ.get("USERSTREAM_BIN", ROOT / ".build" / "debug" / "userstream"))
    assert path.exists(), f"{path} is missing — run scripts/setup.sh (or set USERSTREAM_BIN)"
    return path


class Broker:
    def __init__(self):
        out = subprocess.run([str(ROOT / "scripts" / "tansu.sh"), "start"],
                             check=True, capture_output=True, text=True).stdout.split()
        self.bootstrap, self.pid = out[0], out[1]

    def stop(self):
        subprocess.run([str(ROOT / "scripts" / "tansu.sh"), "stop", self.pid], check=False)


@pytest.fixture(scope="module")
def broker():
    b = Broker()
    yield b
    b.stop()


class Userstream:
    """Runs the userstream binary against one broker."""

    def __init__(self, bootstrap: str):
        self.bin = userstream_path()
        self.env = dict(os.environ, USERSTREAM_BOOTSTRAP_SERVERS=bootstrap)

    def run(self, *args, input=None, timeout=600, check=True):
        result = subprocess.run([str(self.bin), *args], input=input, capture_output=True,
                                env=self.env, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"userstream {' '.join(args)} exited {result.returncode}: "
                                 f"{result.stderr.decode(errors='replace')[-2000:]}")
        return result


@pytest.fixture(scope="module")
def userstream(broker):
    return Userstream(broker.bootstrap)
