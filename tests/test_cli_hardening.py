"""The command line as a hostile user meets it: bad numbers, secrets in the environment, signals.
Every case runs the real binary."""
import os
import re
import signal
import subprocess

import pytest

from processes import Process, userstream_bin, wait_until
from recorded_api import OneAnswerAPI

# A usage error must come back at once; this only ends a hang.
RUN_LIMIT = 60


def bare_env(env=None) -> dict:
    """This environment without its USERSTREAM_ settings, plus `env`."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith("USERSTREAM_")}, **(env or {})}


def run(*args, env=None, timeout=RUN_LIMIT, cwd="/"):
    return subprocess.run([str(userstream_bin()), *args], capture_output=True, text=True,
                          env=bare_env(env), timeout=timeout, cwd=cwd)


# (command, required arguments, flag, its variable or None, whether 0 is a valid value)
NUMERIC_FLAGS = [
    (["setup"], [], "--partitions", "USERSTREAM_PARTITIONS", False),
    (["setup"], [], "--replication-factor", "USERSTREAM_REPLICATION_FACTOR", False),
    (["setup"], [], "--request-timeout", None, False),
    (["setup"], [], "--sink-concurrency", "USERSTREAM_CASSANDRA_CONCURRENCY", False),
    (["up"], [], "--partitions", "USERSTREAM_PARTITIONS", False),
    (["up"], [], "--duration", "USERSTREAM_DURATION", False),
    (["up"], [], "--broker-port", None, True),
    (["up"], [], "--count", "USERSTREAM_COUNT", False),
    (["up"], [], "--batch", "USERSTREAM_BATCH", False),
    (["up"], [], "--concurrency", "USERSTREAM_CONCURRENCY", False),
    (["up"], [], "--api-timeout", "USERSTREAM_API_TIMEOUT", False),
    (["up"], [], "--status-interval", "USERSTREAM_STATUS_INTERVAL", False),
    (["produce"], [], "--duration", "USERSTREAM_DURATION", False),
    (["produce"], [], "--count", "USERSTREAM_COUNT", False),
    (["produce"], [], "--batch", "USERSTREAM_BATCH", False),
    (["produce"], [], "--concurrency", "USERSTREAM_CONCURRENCY", False),
    (["produce"], [], "--api-timeout", "USERSTREAM_API_TIMEOUT", False),
    (["produce"], [], "--request-timeout", None, False),
    (["stream"], [], "--until-idle", "USERSTREAM_UNTIL_IDLE", False),
    (["stream"], [], "--status-interval", "USERSTREAM_STATUS_INTERVAL", False),
    (["status"], [], "--status-interval", "USERSTREAM_STATUS_INTERVAL", False),
    (["query"], [], "--limit", None, True),
    (["serve-api"], [], "--port", "USERSTREAM_API_PORT", True),
    (["serve-api"], [], "--error-rate", "USERSTREAM_API_ERROR_RATE", True),
    (["serve-api"], [], "--rate-limit-rate", "USERSTREAM_API_RATE_LIMIT_RATE", True),
    (["serve-api"], [], "--truncate-rate", "USERSTREAM_API_TRUNCATE_RATE", True),
    (["serve-api"], [], "--latency-ms", "USERSTREAM_API_LATENCY_MS", True),
    (["serve-api"], [], "--retry-after", "USERSTREAM_API_RETRY_AFTER", True),
    (["serve-api"], [], "--outage-requests", "USERSTREAM_API_OUTAGE_REQUESTS", True),
    (["kafka", "topics", "create", "t"], [], "--partitions", None, False),
    (["kafka", "topics", "create", "t"], [], "--replication-factor", None, False),
    (["kafka", "produce", "t"], [], "--partition", None, True),
    (["kafka", "produce", "t"], [], "--max-record-bytes", None, False),
    (["kafka", "consume", "t"], [], "--count", None, True),
    (["kafka", "consume", "t"], [], "--until-idle", None, False),
    (["kafka", "consume", "t"], [], "--partition", None, True),
    (["kafka", "consume", "t"], [], "--session-timeout", None, False),
    (["kafka", "consume", "t"], [], "--heartbeat-interval", None, False),
    (["kafka", "perf", "produce", "t"], ["--record-size", "1"], "--records", None, False),
    (["kafka", "perf", "produce", "t"], ["--records", "1"], "--record-size", None, True),
    (["kafka", "perf", "produce", "t"], ["--records", "1", "--record-size", "1"], "--batch-size", None, False),
    (["kafka", "perf", "produce", "t"], ["--records", "1", "--record-size", "1"], "--linger-ms", None, True),
    (["kafka", "perf", "consume", "t"], [], "--records", None, False),
    (["kafka", "perf", "consume", "t"], ["--records", "1"], "--idle-timeout", None, False),
]

BAD_NUMBERS = ["-1", "0", "99999999999999999999", "1e999", "inf", "-inf", "nan", "٣", "12abc"]


def bad_values(zero_ok):
    return [v for v in BAD_NUMBERS if not (zero_ok and v == "0")]


def assert_usage_error(result, names):
    assert result.returncode == 64, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert names in lines[0], lines[0]


@pytest.mark.parametrize("command,required,flag,variable,zero_ok", NUMERIC_FLAGS,
                         ids=[f"{' '.join(c)} {f}" for c, _, f, _, _ in NUMERIC_FLAGS])
def test_a_bad_number_in_a_flag_is_a_one_line_usage_error_naming_it(command, required, flag, variable, zero_ok):
    for value in bad_values(zero_ok):
        result = run(*command, *required, f"{flag}={value}")
        assert_usage_error(result, flag)


ENV_FLAGS = sorted({(tuple(c), tuple(r), v, z) for c, r, f, v, z in NUMERIC_FLAGS if v})


@pytest.mark.parametrize("command,required,variable,zero_ok", ENV_FLAGS,
                         ids=[f"{' '.join(c)} {v}" for c, _, v, _ in ENV_FLAGS])
def test_a_bad_number_in_a_variable_is_a_one_line_usage_error_naming_it(command, required, variable, zero_ok):
    for value in bad_values(zero_ok):
        result = run(*command, *required, env={variable: value})
        assert_usage_error(result, variable)


def subcommands(path):
    """Every command below `path`, from the SUBCOMMANDS section of its help."""
    text = run(*path, "--help").stdout
    section = text.split("SUBCOMMANDS:", 1)
    if len(section) == 1:
        return [path]
    names = re.findall(r"^  (\S+)", section[1].split("\n\n")[0] + "\n", re.M)
    found = [path]
    for name in names:
        found += subcommands(path + [name])
    return found


def test_help_never_prints_a_value_from_the_environment():
    secrets = {
        "USERSTREAM_SINK": "cassandra://user:s3cr3t-sink@db.example/ks",
        "USERSTREAM_API": "http://user:s3cr3t-api@api.example/",
        "USERSTREAM_BOOTSTRAP_SERVERS": "s3cr3t-brokers.example:9092",
        "USERSTREAM_SASL_PASSWORD": "s3cr3t-sasl",
        "USERSTREAM_CASSANDRA_PASSWORD": "s3cr3t-cassandra",
        "USERSTREAM_TOPIC": "s3cr3t-topic",
        "USERSTREAM_GROUP": "s3cr3t-group",
        "USERSTREAM_CASSANDRA_REPLICATION": "SimpleStrategy:7s3cr3t",
        "USERSTREAM_CASSANDRA_CONSISTENCY": "s3cr3t-consistency",
        "USERSTREAM_DURATION": "4242",
        "USERSTREAM_PARTITIONS": "4243",
    }
    commands = subcommands([])
    assert ["kafka", "topics", "create"] in commands
    for command in commands:
        result = run(*command, "--help", env=secrets)
        assert result.returncode == 0, (command, result.stderr)
        for value in secrets.values():
            assert value not in result.stdout + result.stderr, (command, value)


@pytest.mark.parametrize("command", [["produce", "--count", "1"], ["setup", "--skip-sink"]])
def test_empty_variables_count_as_unset(command, tmp_path):
    empty = {variable: "" for _, _, variable, _ in ENV_FLAGS}
    empty.update({name: "" for name in ["USERSTREAM_BOOTSTRAP_SERVERS", "USERSTREAM_SINK", "USERSTREAM_TOPIC",
                                         "USERSTREAM_API", "USERSTREAM_SASL_MECHANISM", "USERSTREAM_SASL_USERNAME"]})
    result = run(*command, "--request-timeout", "1", env=empty, cwd=tmp_path)
    # Past validation, with the default broker: nothing listens there in the tests.
    assert result.returncode == 1, result.stderr
    assert "127.0.0.1:9092" in result.stderr, result.stderr


# Names Kafka refuses as topics: empty, "." and "..", characters outside [a-zA-Z0-9._-], the
# broker's own topics, longer than 249 characters.
BAD_TOPICS = ["", ".", "..", "a/b", "a b", "ünï", "__consumer_offsets", "__transaction_state", "t" * 250, "t" * 300]
# (command before the name, the flag that names it, or None for an argument, its variable)
TOPIC_PLACES = [
    (["setup", "--skip-sink"], "--topic", "USERSTREAM_TOPIC"),
    (["setup", "--skip-sink"], "--dlq-topic", "USERSTREAM_DLQ_TOPIC"),
    (["produce"], "--topic", "USERSTREAM_TOPIC"),
    (["stream"], "--topic", "USERSTREAM_TOPIC"),
    (["status"], "--topic", "USERSTREAM_TOPIC"),
    (["up"], "--dlq-topic", "USERSTREAM_DLQ_TOPIC"),
    (["kafka", "groups", "g"], "--topic", None),
    (["kafka", "groups", "reset", "g", "--to", "earliest"], "--topic", "USERSTREAM_TOPIC"),
    (["spark", "submit"], "--topic", None),
    (["kafka", "topics", "create"], None, None),
    (["kafka", "topics", "delete"], None, None),
    (["kafka", "produce"], None, None),
    (["kafka", "consume"], None, None),
    (["kafka", "perf", "produce", "--records", "1", "--record-size", "1"], None, None),
    (["kafka", "perf", "consume", "--records", "1"], None, None),
]


@pytest.mark.parametrize("command,flag,variable", TOPIC_PLACES, ids=[" ".join(c[:3]) + f" {f or 'NAME'}" for c, f, _ in TOPIC_PLACES])
@pytest.mark.parametrize("name", BAD_TOPICS, ids=lambda n: repr(n) if len(n) < 20 else f"{len(n)} characters")
def test_a_name_kafka_refuses_as_a_topic_is_a_usage_error_naming_it(command, flag, variable, name):
    result = run(*command, *([flag, name] if flag else [name]))
    assert_usage_error(result, f"{flag or 'topic'} '{name}' is not a topic name")
    if variable and name:  # an empty variable counts as unset
        assert_usage_error(run(*command, env={variable: name}), f"{variable} '{name}' is not a topic name")


def test_a_topic_too_long_for_its_dead_letter_topic_is_a_usage_error(tmp_path):
    longest = "t" * (249 - len(".dlq"))
    assert_usage_error(run("setup", "--skip-sink", "--topic", longest + "t"), "--dlq-topic")
    passed = run("setup", "--skip-sink", "--request-timeout", "1", "--topic", longest, cwd=tmp_path)
    assert passed.returncode == 1 and "127.0.0.1:9092" in passed.stderr, passed.stderr  # past validation, no broker here


@pytest.fixture(scope="module")
def users_topic(broker):
    run("setup", "--skip-sink", env={"USERSTREAM_BOOTSTRAP_SERVERS": broker.bootstrap}, cwd="/tmp")
    return broker.bootstrap


@pytest.mark.parametrize("status,body", [(400, b"bad request"), (200, b'{"error": "Uh oh, something has gone wrong"}')])
def test_an_api_error_is_one_line_hinting_only_at_real_flags_without_the_password(users_topic, status, body):
    api = OneAnswerAPI(status, body)
    try:
        result = run("produce", "--count", "1", "--api", f"http://reader:pw-s3cr3t@127.0.0.1:{api.port}/api/",
                     env={"USERSTREAM_BOOTSTRAP_SERVERS": users_topic})
    finally:
        api.stop()
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1, result.stderr
    assert "pw-s3cr3t" not in result.stdout + result.stderr
    flags = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", errors[0]))
    assert "--api" in flags, errors[0]
    known = set(re.findall(r"--[a-z][a-z-]*", run("produce", "--help").stdout))
    assert flags <= known, flags - known


@pytest.mark.parametrize("sink", ["cassandra://reader:p%40ss-s3cr3t@127.0.0.1:1/ks", "cassandra:reader:s3cr3t@127.0.0.1/ks",
                                  "cassandra://reader:s3cr3t@127.0.0.1:99999/ks"])
@pytest.mark.parametrize("command", [["query"], ["status"]])
def test_a_cassandra_password_is_never_printed(broker, command, sink):
    result = run(*command, "--sink", sink, env={"USERSTREAM_BOOTSTRAP_SERVERS": broker.bootstrap})
    output = result.stdout + result.stderr
    assert "s3cr3t" not in output and "p@ss" not in output, output
    assert "reader" in output, output  # the user is still named


def test_sasl_credentials_without_a_mechanism_are_a_usage_error():
    result = run("kafka", "topics", "list", "--sasl-username", "u", env={"USERSTREAM_SASL_PASSWORD": "pw"})
    assert_usage_error(result, "--sasl-mechanism")


def test_a_broker_without_sasl_is_not_said_to_refuse_the_mechanism_it_offers(broker):
    result = run("kafka", "topics", "list", "--bootstrap-servers", broker.bootstrap,
                 "--sasl-mechanism", "plain", "--sasl-username", "u", "--sasl-password", "pw")
    assert result.returncode == 1
    assert "does not accept SASL mechanism" not in result.stderr, result.stderr
    assert "refused the SASL handshake for PLAIN" in result.stderr, result.stderr


def test_query_and_status_create_no_missing_database(users_topic, tmp_path):
    sink = f"sqlite:{tmp_path}/missing/users.db"
    result = run("query", "--sink", sink)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()] and "no sink yet" in result.stderr
    status = run("status", "--sink", sink, env={"USERSTREAM_BOOTSTRAP_SERVERS": users_topic})
    assert "no sink yet" in status.stdout, status.stdout + status.stderr
    assert list(tmp_path.iterdir()) == []


def test_status_shows_the_writers_last_write_not_its_own_open(broker, tmp_path):
    import json
    import sqlite3
    env = {"USERSTREAM_BOOTSTRAP_SERVERS": broker.bootstrap, "USERSTREAM_SINK": f"sqlite:{tmp_path}/users.db"}
    assert run("setup", env=env).returncode == 0
    db = sqlite3.connect(tmp_path / "users.db")
    db.execute("INSERT INTO created_users VALUES ('00000000-0000-0000-0000-000000000001'" + ", 'x'" * 11 + ")")
    db.commit()
    db.close()
    written = 1577836800  # 2020-01-01T00:00:00Z
    os.utime(tmp_path / "users.db", (written, written))
    result = run("status", "--json", env=env)
    sink = json.loads(result.stdout)["sink"]
    assert sink["rows"] == 1
    assert sink["last_write"] == "2020-01-01T00:00:00.000Z", sink
    assert run("query", "--count", env=env).stdout.strip() == "1"
    assert os.stat(tmp_path / "users.db").st_mtime == written



def start(*args, env=None, cwd):
    """The binary in the background, run from `cwd`."""
    return Process([userstream_bin(), *args], bare_env(env), cwd)


def children(pid):
    return [int(c) for path in os.listdir(f"/proc/{pid}/task")
            for c in open(f"/proc/{pid}/task/{path}/children").read().split()]


def is_gone(pid):
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def tansu_env():
    from processes import tansu_bin
    return {"USERSTREAM_TANSU": str(tansu_bin())}


@pytest.mark.parametrize("signal_number,code", [(15, 143), (2, 130)])
def test_up_stopped_by_a_signal_prints_its_summary_and_exits_with_the_signal(tmp_path, signal_number, code):
    up = start("up", "--duration", "600", env=tansu_env(), cwd=tmp_path)
    up.await_match("userstream: sink")
    assert up.kill(signal_number, RUN_LIMIT) == code, up.log
    assert "userstream: up stopped before it finished: stored=" in up.stdout
    assert "CancellationError" not in up.log


def test_the_broker_of_up_dies_with_it_and_can_be_stopped(tmp_path):
    up = start("up", "--duration", "600", env=tansu_env(), cwd=tmp_path)
    up.await_match("userstream: broker Tansu")
    [broker] = children(up.pid)
    status = dict(line.split(":", 1) for line in open(f"/proc/{broker}/status").read().splitlines())
    sigterm = 1 << (15 - 1)
    assert int(status["SigBlk"], 16) & sigterm == 0, status["SigBlk"]
    assert int(status["SigIgn"], 16) & sigterm == 0, status["SigIgn"]
    up.kill(timeout=RUN_LIMIT)
    wait_until(lambda: is_gone(broker), "the broker to end with up")


def test_produce_stopped_by_sigterm_prints_its_summary(tmp_path, api, users_topic):
    produce = start("produce", "--duration", "600", "--api", api, "--concurrency", "1", "--batch", "1",
                    env={"USERSTREAM_BOOTSTRAP_SERVERS": users_topic}, cwd=tmp_path)
    produce.await_match("produce: fetched=")  # the first progress line
    assert produce.kill(signal.SIGTERM, RUN_LIMIT) == 143, produce.log
    assert re.search(r"userstream: produce fetched=\d+ published=\d+", produce.stdout)


def test_stream_stopped_while_the_sink_is_locked_prints_a_summary(tmp_path, users_topic):
    import sqlite3
    assert run("setup", "--sink", f"sqlite:{tmp_path}/users.db", env={"USERSTREAM_BOOTSTRAP_SERVERS": users_topic}).returncode == 0
    lock = sqlite3.connect(tmp_path / "users.db", isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        stream = start("stream", "--sink", f"sqlite:{tmp_path}/users.db", "--stop-timeout", "1",
                       env={"USERSTREAM_BOOTSTRAP_SERVERS": users_topic}, cwd=tmp_path)
        # Waiting for the lock: the database is open.
        wait_until(lambda: any(os.readlink(f"/proc/{stream.pid}/fd/{fd}").endswith("users.db")
                               for fd in os.listdir(f"/proc/{stream.pid}/fd") if os.path.exists(f"/proc/{stream.pid}/fd/{fd}")),
                   "the stream to open its database", alive=[stream])
        assert stream.kill(signal.SIGTERM, RUN_LIMIT) in (0, 143)
    finally:
        lock.close()
    assert "userstream: stream consumed=" in stream.stdout, stream.log


@pytest.fixture(scope="module")
def status_page(users_topic, tmp_path_factory):
    cwd = tmp_path_factory.mktemp("status")
    status = start("status", "--http", "127.0.0.1:0", env={"USERSTREAM_BOOTSTRAP_SERVERS": users_topic}, cwd=cwd)
    url = status.await_match(r"status page on (http://\S+/)").group(1)
    yield url
    status.kill(signal.SIGTERM, RUN_LIMIT)


def http_port(url):
    return int(url.rsplit(":", 1)[1].strip("/"))


@pytest.mark.parametrize("method", ["HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"])
def test_the_status_server_answers_other_methods_405_with_allow(status_page, method):
    import http.client
    connection = http.client.HTTPConnection("127.0.0.1", http_port(status_page), timeout=RUN_LIMIT)
    connection.request(method, "/")
    response = connection.getresponse()
    assert response.status == 405
    assert response.getheader("Allow") == "GET"
    connection.close()


def test_the_status_server_closes_an_idle_keep_alive_connection(status_page):
    import http.client
    connection = http.client.HTTPConnection("127.0.0.1", http_port(status_page), timeout=RUN_LIMIT)
    connection.request("GET", "/healthz")
    connection.getresponse().read()
    # Keep-alive, then silence: the server ends the connection on its own.
    assert connection.sock.recv(1) == b""


def test_the_status_server_bounds_header_size_and_connections(status_page):
    import socket
    import urllib.error
    import urllib.request
    request = urllib.request.Request(status_page + "metrics", headers={"X-Huge": "a" * (1 << 20)})
    with pytest.raises((urllib.error.HTTPError, ConnectionError)) as refused:
        urllib.request.urlopen(request, timeout=RUN_LIMIT)
    if isinstance(refused.value, urllib.error.HTTPError):
        assert 400 <= refused.value.code < 500
    held = [socket.create_connection(("127.0.0.1", http_port(status_page)), timeout=RUN_LIMIT) for _ in range(600)]
    try:
        for sock in held:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: status\r\n\r\n")
        # Each one is answered, or closed unanswered once the server holds its most connections.
        answered = sum(1 for sock in held if sock.recv(64) != b"")
        assert 0 < answered <= 512, answered
    finally:
        for sock in held:
            sock.close()
    with urllib.request.urlopen(status_page + "metrics", timeout=RUN_LIMIT) as response:
        assert response.status == 200
