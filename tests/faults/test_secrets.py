"""Passwords never show: a SASL password, a Cassandra password (plain and percent-encoded in a
URL) and an API password are given in flags and variables; every output, log, `--help`,
`status --json`, the status page, `/status.json` and `/metrics` is searched for them."""
import concurrent.futures
import os
import signal
import subprocess
import tempfile
import urllib.request

import pytest

from pipeline_fixtures import names
from processes import Broker, Process, free_port, userstream_bin
from surfaces import commands

SASL = "sasl-Pw-4f1a9c"
CASSANDRA = "cass/Pw@7e2b"               # needs percent-encoding in a URL
CASSANDRA_ENCODED = "cass%2FPw%407e2b"
API = "api-Pw-93d0e1"
SECRETS = [SASL, CASSANDRA, CASSANDRA_ENCODED, API, "cass%2fPw%407e2b"]


def leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s.lower() in text.lower()]


@pytest.fixture(scope="module")
def broker():
    b = Broker(schema_registry=False)
    yield b
    b.stop()


def secret_env(workdir, bootstrap, closed):
    env = {k: v for k, v in os.environ.items() if not k.startswith("USERSTREAM_")}
    env.update(
        USERSTREAM_BOOTSTRAP_SERVERS=bootstrap, USERSTREAM_SASL_MECHANISM="PLAIN", USERSTREAM_SASL_USERNAME="alice",
        USERSTREAM_SASL_PASSWORD=SASL, USERSTREAM_CASSANDRA_USERNAME="bob", USERSTREAM_CASSANDRA_PASSWORD=CASSANDRA,
        USERSTREAM_SINK=f"cassandra://bob:{CASSANDRA_ENCODED}@127.0.0.1:{closed}/spark_streams",
        USERSTREAM_API=f"http://carol:{API}@127.0.0.1:{closed}/api/", HOME=workdir)
    return env


def run(argv, env, cwd, seconds=90):
    process = subprocess.Popen([str(userstream_bin()), *argv], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, env=env, cwd=cwd, start_new_session=True)
    try:
        out, _ = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, _ = process.communicate()
    return out.decode(errors="replace")


def test_help_of_every_command_hides_passwords_from_variables(broker):
    closed = free_port()
    with tempfile.TemporaryDirectory() as workdir:
        env = secret_env(workdir, broker.bootstrap, closed)
        found = {}
        for path in [()] + commands():
            out = run([*path, "--help"], env, workdir)
            if leaks(out):
                found[" ".join(path) or "userstream"] = leaks(out)
        assert not found, f"--help shows passwords: {found}"


def test_failing_commands_hide_passwords_from_flags_and_variables(broker):
    closed = free_port()
    cassandra_url = f"cassandra://bob:{CASSANDRA_ENCODED}@127.0.0.1:{closed}/spark_streams"
    api_url = f"http://carol:{API}@127.0.0.1:{closed}/api/"
    sasl_flags = ["--sasl-mechanism", "PLAIN", "--sasl-username", "alice", "--sasl-password", SASL]
    topic, _, group = names()
    runs = {
        "produce (flags)": ["produce", "--api", api_url, "--topic", topic, "--count", "5", *sasl_flags],
        "produce (variables)": ["produce", "--count", "5"],
        "produce reaching the API (flag)": ["produce", "--api", api_url, "--topic", topic, "--count", "5", "--api-timeout", "1"],
        "produce reaching the API (variable)": ["produce", "--topic", topic, "--count", "5", "--api-timeout", "1"],
        "stream (flags)": ["stream", "--sink", cassandra_url, "--until-idle", "5", *sasl_flags],
        "stream (password file)": ["stream", "--sink", f"cassandra://127.0.0.1:{closed}/ks", "--sink-username", "bob",
                                   "--sink-password-file", "PASSWORD_FILE", "--until-idle", "5"],
        "stream (variables)": ["stream", "--until-idle", "5"],
        "setup (variables)": ["setup", "--topic", topic],
        "query (variables)": ["query"],
        "status (variables)": ["status"],
        "status --json (variables)": ["status", "--json"],
        "kafka topics list (flags)": ["kafka", "topics", "list", *sasl_flags],
        "bad flag value (variables)": ["produce", "--count", "-1"],
    }
    found = {}
    with tempfile.TemporaryDirectory() as workdir:
        env = secret_env(workdir, broker.bootstrap, closed)
        # Tansu here takes no SASL: the runs that must reach the API go without it, to a topic that exists.
        plain = {k: v for k, v in env.items() if not k.startswith("USERSTREAM_SASL_")}
        run(["setup", "--topic", topic, "--skip-sink"], plain, workdir)
        password_file = os.path.join(workdir, "cassandra-password")
        with open(password_file, "w") as f:
            f.write(CASSANDRA + "\n")
        runs = {name: [password_file if a == "PASSWORD_FILE" else a for a in argv] for name, argv in runs.items()}
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(runs)) as pool:
            outputs = {name: pool.submit(run, argv, plain if "reaching the API" in name else env, workdir)
                       for name, argv in runs.items()}
        for name, job in outputs.items():
            out = job.result()
            if "reaching the API" in name:
                assert f"127.0.0.1:{closed}" in out, f"{name} never reached the API, so it proves nothing: {out[-600:]}"
            if leaks(out):
                found[name] = (leaks(out), out[-600:])
    assert not found, f"passwords in output: {found}"


def test_status_page_status_json_and_metrics_hide_passwords(broker):
    closed = free_port()
    with tempfile.TemporaryDirectory() as workdir:
        env = secret_env(workdir, broker.bootstrap, closed)
        env.pop("USERSTREAM_SASL_MECHANISM")  # the page must come up: Tansu takes no SASL here
        env.pop("USERSTREAM_SASL_USERNAME")
        env.pop("USERSTREAM_SASL_PASSWORD")
        status = Process([userstream_bin(), "status", "--http", "127.0.0.1:0"], env, workdir, "status --http")
        try:
            url = status.await_match(r"status page on (http://\S+/)", timeout=120).group(1)
            pages = {}
            for path in ("", "status.json", "metrics", "healthz"):
                try:
                    with urllib.request.urlopen(url + path, timeout=60) as response:
                        pages[path or "/"] = response.read().decode(errors="replace")
                except urllib.error.HTTPError as error:
                    pages[path or "/"] = error.read().decode(errors="replace")
        finally:
            status.kill(signal.SIGTERM)
        found = {path: leaks(text) for path, text in pages.items() if leaks(text)}
        if leaks(status.output()):
            found["log"] = leaks(status.output())
        assert not found, f"passwords on the status server: {found}"
