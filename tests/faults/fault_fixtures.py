"""Processes for the fault tests: Tansu brokers that can be stopped and started again (memory
storage, or s3 storage against moto's S3 server so records survive a restart), the fault proxy in
front of a broker or the API, a recording front for the stand-in API (so the history checker
knows every user the API served), and userstream processes whose output is read as it comes."""
from __future__ import annotations

import http.client
import http.server
import json
import os
import signal
import socket
import subprocess
import threading
import time
import uuid
from pathlib import Path

from pipeline_fixtures import summary
from processes import ROOT, StandInAPI, tansu_bin, userstream_bin
from proxy import FaultProxy


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, what: str, timeout: float = 180, interval: float = 0.05, alive=()):
    """Polls `condition` until it holds; fails at once if a process in `alive` exits meanwhile.
    The timeout only ends a test that is already broken."""
    deadline = time.monotonic() + timeout
    while not condition():
        for process in alive:
            assert process.poll() is None, f"{process.name} exited {process.returncode} while waiting for {what}: {process.tail()}"
        assert time.monotonic() < deadline, \
            f"gave up waiting for {what}; " + "; ".join(f"{p.name} said: {p.tail(8)}" for p in alive)
        time.sleep(interval)


# ---- S3 and brokers ----

class S3Server:
    """moto's S3 server, started by scripts/s3.sh."""

    def __init__(self):
        out = subprocess.run([str(ROOT / "scripts" / "s3.sh"), "start"], check=True, capture_output=True, text=True).stdout.split()
        self.endpoint, self.pid = out[0], out[1]
        self.env = {"AWS_ENDPOINT": self.endpoint, "AWS_ALLOW_HTTP": "true", "AWS_ACCESS_KEY_ID": "userstream",
                    "AWS_SECRET_ACCESS_KEY": "userstream-test", "AWS_DEFAULT_REGION": "us-east-1"}

    def bucket(self) -> str:
        import boto3
        name = f"tansu-{uuid.uuid4().hex[:12]}"
        boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1", aws_access_key_id="userstream",
                     aws_secret_access_key="userstream-test").create_bucket(Bucket=name)
        return name

    def stop(self):
        subprocess.run([str(ROOT / "scripts" / "s3.sh"), "stop", self.pid], check=False)


class Tansu:
    """A Tansu broker listening on its own port and advertising `advertised` (the fault proxy's
    address when one stands in front). stop()/start() keep the port, so clients reconnect to the
    same address; with s3 storage the records survive."""

    def __init__(self, storage: str = "memory://tansu/", env: dict | None = None, port: int | None = None,
                 advertised: str | None = None, log_dir: Path | None = None):
        self.port = port or free_port()
        self.advertised = advertised or f"127.0.0.1:{self.port}"
        self.storage, self.env = storage, dict(os.environ, **(env or {}))
        self.log_dir = log_dir or ROOT / ".build" / "tansu"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.process = None
        self.starts = 0
        self.start()

    @property
    def bootstrap(self) -> str:
        return self.advertised

    def start(self):
        self.starts += 1
        log = open(self.log_dir / f"tansu-{self.port}-{self.starts}.log", "wb")
        self.process = subprocess.Popen(
            [str(tansu_bin()), "broker", "--listener-url", f"tcp://127.0.0.1:{self.port}",
             "--advertised-listener-url", f"tcp://{self.advertised}", "--storage-engine", self.storage],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=self.env)
        log.close()

        def listening():
            assert self.process.poll() is None, f"tansu exited {self.process.returncode}; log in {self.log_dir}"
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return True
            except OSError:
                return False
        wait_until(listening, "Tansu to listen", timeout=60)

    def stop(self, sig=signal.SIGTERM):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# ---- the API, recorded ----

class RecordingAPI:
    """A front for the stand-in API that forwards every request and records the ids of the users
    in each answer that reached the client whole: what the API served, for the history checker."""

    def __init__(self, upstream: str):
        self.upstream = upstream.split("//", 1)[1].split("/", 1)[0]
        self.served: set[str] = set()
        self.lock = threading.Lock()
        front = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                connection = http.client.HTTPConnection(front.upstream, timeout=60)
                try:
                    connection.request("GET", self.path)
                    response = connection.getresponse()
                    body = response.read()
                finally:
                    connection.close()
                self.send_response(response.status)
                for name, value in response.getheaders():
                    if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                    self.wfile.flush()
                except OSError:
                    return
                try:
                    ids = [r["login"]["uuid"] for r in json.loads(body).get("results", [])]
                except (ValueError, KeyError, TypeError, AttributeError):
                    ids = []
                with front.lock:
                    front.served.update(ids)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/api/"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


# ---- userstream processes ----

STARTED: list["Process"] = []  # every process a test started, so teardown can end what is left


def end_leftovers(since: int = 0):
    """SIGKILLs every process started after the first `since` that is still running (a failed
    test stops midway); those before belong to longer-lived fixtures."""
    while len(STARTED) > since:
        process = STARTED.pop()
        if process.poll() is None:
            process.proc.kill()
            process.proc.wait()


class Process:
    """A userstream process whose stdout and stderr are collected line by line as they come."""

    def __init__(self, name: str, argv: list[str], env: dict, cwd=None):
        STARTED.append(self)
        self.name = name
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     env=env, cwd=cwd)
        self.pid = self.proc.pid
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in self.proc.stdout:
            with self.changed:
                self.lines.append(raw.decode(errors="replace").rstrip("\n"))
                self.changed.notify_all()
        with self.changed:
            self.changed.notify_all()

    @property
    def returncode(self):
        return self.proc.returncode

    def poll(self):
        return self.proc.poll()

    def output(self) -> str:
        with self.changed:
            return "\n".join(self.lines)

    def tail(self, n=20) -> str:
        with self.changed:
            return "\n".join(self.lines[-n:])

    def wait_for_line(self, predicate, what: str, timeout: float = 180) -> str:
        """Waits for an output line matching `predicate`; fails if the process ends first."""
        with self.changed:
            def found():
                return next((l for l in self.lines if predicate(l)), None)
            ok = self.changed.wait_for(lambda: found() is not None or (self.proc.poll() is not None and not self.reader.is_alive()), timeout)
            line = found()
            assert line is not None, f"{self.name}: no {what} ({'exited ' + str(self.proc.returncode) if ok else 'timed out'}): {self.tail()}"
            return line

    def kill(self, sig=signal.SIGKILL):
        self.proc.send_signal(sig)
        return self.wait()

    def wait(self, timeout: float = 300) -> int:
        """The exit code; a process still running after `timeout` fails the test (a hang)."""
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"{self.name} still running after {timeout} s: {self.tail()}") from None
        self.reader.join(timeout=10)
        return code

    def summary(self) -> dict:
        return summary(self.output())


class Userstream:
    """Starts userstream commands against one bootstrap address."""

    def __init__(self, bootstrap: str, **env):
        self.bin = str(userstream_bin())
        self.env = dict(os.environ, USERSTREAM_BOOTSTRAP_SERVERS=bootstrap, **env)

    def start(self, *args, name=None, env=None) -> Process:
        return Process(name or f"userstream {args[0]}", [self.bin, *args], dict(self.env, **(env or {})))

    def run(self, *args, timeout=300, check=True, env=None) -> Process:
        process = self.start(*args, env=env)
        process.wait(timeout=timeout)
        if check:
            assert process.returncode == 0, f"userstream {' '.join(args)} exited {process.returncode}: {process.tail()}"
        return process


def names():
    topic = f"users_{uuid.uuid4().hex[:8]}"
    return topic, topic + ".dlq", f"group_{topic}"


def set_up_run(us: Userstream, tmp_path):
    """A new 3-partition topic and a SQLite sink under tmp_path, made by `userstream setup`:
    (topic, dlq, group, db, sink)."""
    topic, dlq, group = names()
    db = tmp_path / "users.db"
    sink = f"sqlite:{db}"
    us.run("setup", "--topic", topic, "--partitions", "3", "--sink", sink)
    return topic, dlq, group, db, sink
