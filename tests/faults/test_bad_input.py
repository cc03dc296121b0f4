"""Bad input at every surface, as tables:

  - every option of every command, and every `USERSTREAM_*` variable, with empty, negative, zero,
    huge, infinite, NaN and non-ASCII values (options and variables discovered from `--help` and
    the sources);
  - malformed `--sink` and `--bootstrap-servers`;
  - API answers that are HTML, empty, huge, endless, redirect loops or error bodies (randomuser.me's
    outage answer, retried until the budget is spent);
  - the status server asked with other methods, odd paths, huge headers and many connections.

Each: a one-line error naming what is wrong, exit 64 for a usage error, no trap (exit 132, 134,
139 or a signal), no hang past the case's time limit. Nothing here talks to the internet: the
broker and API addresses point at closed loopback ports unless a case brings its own server."""
from __future__ import annotations

import concurrent.futures
import http.server
import os
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request

import pytest

from pipeline_fixtures import names
from processes import Broker, Userstream, free_port, give_to_run_as, tansu_bin, userstream_bin
from surfaces import commands, described_options, options, positionals, required_options, source_variables

TRAPS = {132, 134, 139, -signal.SIGILL, -signal.SIGABRT, -signal.SIGSEGV, -signal.SIGTRAP, -signal.SIGBUS}
USAGE = 64
CASE_SECONDS = 10
# Commands that serve or follow until stopped: still running at the time limit is no hang for them.
LONG_RUNNING = {("serve-api",), ("stream",), ("up",), ("status",), ("kafka", "consume")}
VALUES = {"empty": "", "negative": "-1", "zero": "0", "huge": "1e308", "huge_integer": "9223372036854775807",
          "infinite": "inf", "nan": "nan", "non_ascii": "ünï€ødé", "letters": "abc"}
REFUSED_BY_NUMBERS = {"empty", "negative", "huge", "huge_integer", "infinite", "nan", "non_ascii", "letters"}


def base_env(workdir: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("USERSTREAM_", "SPARK_REMOTE"))}
    closed = free_port()  # nothing listens there
    env.update(USERSTREAM_BOOTSTRAP_SERVERS=f"127.0.0.1:{closed}", USERSTREAM_API=f"http://127.0.0.1:{closed}/api/",
               USERSTREAM_SINK=f"sqlite:{workdir}/users.db", SPARK_REMOTE=f"sc://127.0.0.1:{closed}", HOME=workdir,
               USERSTREAM_TANSU=str(tansu_bin()), USERSTREAM_API_PORT="0")
    if "USERSTREAM_BIN" in os.environ:
        env["USERSTREAM_BIN"] = os.environ["USERSTREAM_BIN"]
    return env


def run_case(argv: list[str], env_changes: dict, seconds=CASE_SECONDS):
    """(exit code or None when still running at the limit, output). The whole process group is
    killed at the end, so a child (a Tansu that `up` started) goes too."""
    with tempfile.TemporaryDirectory(prefix="userstream-bad-input-") as workdir:
        give_to_run_as(workdir)
        env = dict(base_env(workdir), **env_changes)
        process = subprocess.Popen([str(userstream_bin()), *argv], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, env=env, cwd=workdir, start_new_session=True)
        try:
            out, _ = process.communicate(timeout=seconds)
            code = process.returncode
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, _ = process.communicate()
            code = None
        finally:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return code, out.decode(errors="replace")


# ---- the table of options and variables ----

def cheapest_first(paths):
    """Commands that end by themselves before those that run until stopped, `up` (which starts a
    broker) last: a case shared by several is tried where it costs least."""
    return sorted(paths, key=lambda path: (path in LONG_RUNNING, path == ("up",)))


def option_cases():
    """Each option once: an option shared by several commands (same flag, same help) is tried
    with the cheapest of them."""
    cases, seen = [], set()
    for path in cheapest_first(commands()):
        for flag, takes_value, env, description in described_options(path):
            if takes_value and (flag, description) not in seen:
                seen.add((flag, description))
                for kind in VALUES:
                    cases.append(("flag", path, flag, kind))
    return cases


def variable_cases():
    by_variable: dict[str, list] = {}
    for path in cheapest_first(commands()):
        for flag, takes_value, env in options(path):
            if env:
                by_variable.setdefault(env, []).append((path, flag))
    cases = []
    for variable in sorted(source_variables() | set(by_variable)):
        # The variable with the cheapest command that names it in its help (or `status`, which reads the shared ones).
        path, flag = by_variable.get(variable, [(("status",), None)])[0]
        for kind in VALUES:
            cases.append(("env", path, variable, kind, flag))
    return cases


OPTION_CASES = option_cases()
VARIABLE_CASES = variable_cases()


@pytest.fixture(scope="module")
def every_case(bad_api, broker, users_topic):
    """Runs every case of both tables at once, each with its own time limit: the bad API answers
    mostly wait out their retries, so they run beside the option and variable table."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(BAD_ANSWERS)) as waiting, \
            concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        answers = {answer: waiting.submit(run_case, ["produce", "--api", f"{bad_api.base}/{answer}/", "--topic", users_topic,
                                                     "--count", "10", "--batch", "10", "--api-timeout", "2",
                                                     "--bootstrap-servers", broker.bootstrap], {}, 120)
                   for answer in BAD_ANSWERS}
        table = {}
        for case in OPTION_CASES:
            _, path, flag, kind = case
            table[case] = pool.submit(run_case, [*path, *positionals(path), *required(path, flag), f"{flag}={VALUES[kind]}"], {})
        for case in VARIABLE_CASES:
            _, path, variable, kind, _ = case
            table[case] = pool.submit(run_case, [*path, *positionals(path), *required(path)], {variable: VALUES[kind]})
        return ({case: job.result() for case, job in table.items()},
                {answer: job.result() for answer, job in answers.items()})


@pytest.fixture(scope="module")
def results(every_case):
    return every_case[0]


# A value each required option takes, where 1 is not one: the case then fails on its own flag.
REQUIRED_VALUES = {"--to": "earliest"}


def required(path, but=None) -> list[str]:
    """Values for the command's required options other than `but`."""
    return [f"{flag}={REQUIRED_VALUES.get(flag, '1')}" for flag in required_options(path) if flag != but]


def numeric(results, case_key) -> bool:
    """The parser refuses letters for this option: it takes a number (or a fixed set of words)."""
    code, out = results[case_key]
    return code == USAGE and "invalid for" in out


def error_lines(out: str) -> list[str]:
    return [l for l in out.splitlines() if re.search(r"\berror\b", l, re.I)]


def assert_sound(code, out, path, what: str, names: tuple[str, ...], kind: str, is_numeric: bool):
    assert code not in TRAPS, f"trapped (exit {code}): {out[-1500:]}"
    assert "Fatal error" not in out and "Stack dump" not in out, out[-1500:]
    if code is None:
        assert path in LONG_RUNNING, f"still running after {CASE_SECONDS} s: {out[-1500:]}"
    if is_numeric and kind in REFUSED_BY_NUMBERS:
        assert code == USAGE, f"{what}={VALUES[kind]!r} was not refused as a usage error (exit {code}): {out[-1500:]}"
    if code == USAGE:
        lines = error_lines(out)
        assert lines, f"exit 64 without an error line: {out[-1500:]}"
        assert names_it(lines[0], names, VALUES[kind]), f"the error does not name {what}: {lines[0]}"


def names_it(line: str, names, value: str) -> bool:
    """The error line names the option or variable (by flag, by its words, or by its name), or
    quotes the offending value."""
    squeezed = re.sub(r"[\s_-]", "", line.lower())
    for name in filter(None, names):
        words = re.sub(r"[\s_-]", "", name.lower().removeprefix("userstream_"))
        parts = [w for w in re.split(r"[\s_-]+", name.lower().removeprefix("userstream_")) if w]
        if name in line or words in squeezed or all(w in line.lower() for w in parts):
            return True
    return len(value) > 1 and f"'{value}'" in line


@pytest.mark.parametrize("case", OPTION_CASES, ids=lambda c: f"{' '.join(c[1])} {c[2]}={c[3]}")
def test_option_values(case, results):
    _, path, flag, kind = case
    code, out = results[case]
    assert_sound(code, out, path, flag, (flag,), kind, numeric(results, ("flag", path, flag, "letters")))


@pytest.mark.parametrize("case", VARIABLE_CASES, ids=lambda c: f"{c[2]}={c[3]} ({' '.join(c[1])})")
def test_variable_values(case, results):
    _, path, variable, kind, flag = case
    code, out = results[case]
    is_numeric = flag is not None and numeric(results, ("flag", path, flag, "letters"))
    if kind == "empty":
        is_numeric = False  # an empty variable counts as unset: the default applies
    assert_sound(code, out, path, variable, (variable, flag), kind, is_numeric)


def test_every_variable_the_sources_read_is_named_in_some_help():
    # A description may name more than one variable (a file, else the value itself).
    named = {env for path in commands() for *_, description in described_options(path)
             for env in re.findall(r"USERSTREAM_[A-Z0-9_]+", description)}
    assert source_variables() - named == set()


# ---- malformed locations ----

BAD_SINKS = ["", "sqlite:", "sqlite", "mysql://h/db", "cassandra://", "cassandra://:9042/ks", "cassandra://h:notaport/ks",
             "cassandra://h:99999/ks", "cassandra://u:@h/ks", "cassandra://h/ks/extra", "cassandra://h/bad keyspace",
             "cassandra://[::1/ks", "cassandra://h,,h/ks", "sqlite: ", "ünï://x"]
BAD_BOOTSTRAPS = ["", ",", "host:", ":9092", "host:0", "host:99999", "host:-1", "host:abc", "[::1",
                  "127.0.0.1:9092,", "ünï:9092", "a" * 300 + ":9092", "tcp://127.0.0.1:9092"]


@pytest.mark.parametrize("sink", BAD_SINKS)
def test_malformed_sink(sink):
    code, out = run_case(["stream", "--sink", sink], {})
    assert code not in TRAPS and code is not None, out[-1500:]
    assert code == USAGE, f"--sink {sink!r}: exit {code}: {out[-1500:]}"
    assert "sink" in error_lines(out)[0].lower(), out[-1500:]


@pytest.mark.parametrize("bootstrap", BAD_BOOTSTRAPS)
def test_malformed_bootstrap_servers(bootstrap):
    code, out = run_case(["kafka", "topics", "list", "--bootstrap-servers", bootstrap], {})
    assert code not in TRAPS and code is not None, out[-1500:]
    assert code == USAGE, f"--bootstrap-servers {bootstrap!r}: exit {code}: {out[-1500:]}"
    assert "bootstrap" in error_lines(out)[0].lower(), out[-1500:]


# ---- bad API answers ----

class BadAPI:
    """A tiny HTTP server answering each path with one kind of bad answer."""

    def __init__(self):
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def answer(self, status, body: bytes, content_type="application/json", headers=()):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                kind = self.path.strip("/").split("/")[0].split("?")[0]
                try:
                    if kind == "html":
                        self.answer(200, b"<html><body><h1>Maintenance</h1></body></html>", "text/html")
                    elif kind == "empty":
                        self.answer(200, b"")
                    elif kind == "no-results":
                        self.answer(200, b'{"results": [], "info": {"results": 0}}')
                    elif kind == "unusable":
                        self.answer(200, b'{"results": [{"name": 1}, {"login": null}], "info": {}}')
                    elif kind == "error-body":
                        self.answer(200, b'{"error": "Uh oh, something has gone wrong. Please tweet us @randomapi about the issue. Thank you."}')
                    elif kind == "error-500":
                        self.answer(500, b"<html>Internal Server Error</html>", "text/html")
                    elif kind == "redirect-loop":
                        self.answer(302, b"", headers=[("Location", self.path)])
                    elif kind == "huge":
                        size = 100 << 20
                        self.send_response(200)
                        self.send_header("Content-Type", "application/json")
                        self.send_header("Content-Length", str(size))
                        self.end_headers()
                        chunk = b'{"results": [' + b" " * (1 << 20)
                        sent = 0
                        while sent < size:
                            piece = chunk[: min(len(chunk), size - sent)]
                            self.wfile.write(piece)
                            sent += len(piece)
                            chunk = b" " * (1 << 20)
                    elif kind == "endless":
                        self.send_response(200)
                        self.send_header("Content-Type", "application/json")
                        self.send_header("Content-Length", str(1 << 30))
                        self.end_headers()
                        self.wfile.write(b'{"results": [')
                        while True:  # one byte a second, for ever
                            self.wfile.write(b" ")
                            self.wfile.flush()
                            time.sleep(1)
                    else:
                        self.answer(404, b"{}")
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def bad_api():
    api = BadAPI()
    yield api
    api.stop()


@pytest.fixture(scope="module")
def users_topic(broker):
    topic, _, _ = names()
    Userstream(broker.bootstrap).run("setup", "--topic", topic, "--partitions", "1", "--skip-sink")
    return topic


@pytest.fixture(scope="module")
def broker():
    b = Broker(schema_registry=False)
    yield b
    b.stop()


BAD_ANSWERS = ["html", "empty", "no-results", "unusable", "error-body", "error-500", "redirect-loop", "huge", "endless"]


@pytest.fixture(scope="module")
def api_results(every_case):
    """`produce` against each bad answer (run with the table, in `every_case`)."""
    return every_case[1]


@pytest.mark.parametrize("answer", BAD_ANSWERS)
def test_bad_api_answers_end_produce_with_an_error_naming_the_api(answer, bad_api, api_results):
    code, out = api_results[answer]
    assert code is not None, f"produce still running after 120 s against an API answering {answer}: {out[-1500:]}"
    assert code not in TRAPS and code != 0, f"exit {code}: {out[-1500:]}"
    errors = error_lines(out) or [l for l in out.splitlines() if "api" in l.lower()]
    assert any(bad_api.base.split("//")[1] in l or "API" in l or "api" in l for l in errors), out[-1500:]
    assert "userstream: produce" in out, f"no summary line: {out[-1500:]}"
    if answer == "error-body":
        # randomuser.me's outage answer passes: retried to the end of the budget, then named.
        assert "failed 5 requests in a row" in errors[-1] and "the API answered: Uh oh" in errors[-1], errors[-1]
        assert 'api_error="Uh oh' in out, out[-1500:]


# ---- the status server ----

@pytest.fixture(scope="module")
def status_server(broker, tmp_path_factory):
    topic, _, group = names()
    db = tmp_path_factory.mktemp("status") / "users.db"
    us = Userstream(broker.bootstrap)
    us.run("setup", "--topic", topic, "--partitions", "1", "--sink", f"sqlite:{db}")
    process = us.start("status", "--topic", topic, "--group", group, "--sink", f"sqlite:{db}", "--http", "127.0.0.1:0")
    url = process.await_match(r"status page on (http://\S+/)").group(1)
    host, port = url.split("//")[1].rstrip("/").split(":")
    yield process, host, int(port)
    process.kill(signal.SIGTERM)


def raw_request(host, port, data: bytes, timeout=30) -> bytes:
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        got = b""
        try:
            while chunk := s.recv(65536):
                got += chunk
        except ConnectionResetError:
            pass
        return got


def status_code(response: bytes) -> int | None:
    match = re.match(rb"HTTP/1\.[01] (\d{3})", response)
    return int(match.group(1)) if match else None


def still_serving(server):
    process, host, port = server
    assert process.poll() is None, f"the status server exited {process.returncode}: {process.tail()}"
    # Any answer will do (/healthz is 503 until the first status is taken): the server is alive.
    assert status_code(raw_request(host, port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) is not None


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "HEAD", "BREW"])
def test_status_server_other_methods(method, status_server):
    _, host, port = status_server
    response = raw_request(host, port, f"{method} /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
    code = status_code(response)
    if method == "HEAD":
        assert code in (200, 405), response[:300]
    elif method == "OPTIONS":
        assert code in (200, 204, 405), response[:300]
    else:
        assert code in (400, 405, 501), f"{method}: {response[:300]!r}"
    still_serving(status_server)


@pytest.mark.parametrize("path", ["/nope", "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/metrics/../healthz?x=<script>",
                                  "/" + "a" * 8000, "/%00", "/%ff%fe", "//", "/healthz#frag", "*"])
def test_status_server_odd_paths(path, status_server):
    _, host, port = status_server
    response = raw_request(host, port, f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    code = status_code(response)
    assert code is None or code in (200, 400, 404, 414, 431), response[:300]
    assert b"root:x:0:0" not in response and b"x=<script>" not in response
    still_serving(status_server)


def test_status_server_huge_header(status_server):
    _, host, port = status_server
    response = raw_request(host, port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (1 << 20) + b"\r\nConnection: close\r\n\r\n")
    assert status_code(response) in (None, 400, 413, 431), response[:300]
    still_serving(status_server)


def test_status_server_many_connections(status_server):
    _, host, port = status_server
    idle = []
    try:
        for _ in range(500):
            idle.append(socket.create_connection((host, port), timeout=30))
        still_serving(status_server)
    finally:
        for s in idle:
            s.close()
    still_serving(status_server)
