"""README.md's commands as a user types them. Its first command, `scripts/up.sh`, runs on this
checkout exactly as printed; `userstream up` runs again as an ordinary user; then every other
command the README shows is run against a live pipeline, and its output must have the shape the
README shows. The commands are read from README.md itself: a line of a code block (fenced or
indented; after `$ ` when the block shows output too), and inline code that runs a program by its
path (`scripts/…`, `.build/…`) or `sqlite3`, with arguments. A command no check below covers fails
this module, so an edited README cannot go unchecked."""
import inspect
import json
import os
import re
import shlex
import sqlite3
import subprocess
from dataclasses import dataclass

import pytest

from kafka import KafkaProducer

from pipeline_fixtures import FIELDS, summary
from processes import ROOT, Broker, StandInAPI, give_to_run_as, run_as, userstream_bin
from test_pipeline import encoded, good_user

README = ROOT / "README.md"
NOBODY = (65534, 65534)
BOX_DRAWING = re.compile("[─│└┘┌┐▶]")
RUNS_BY_PATH = re.compile(r"^(scripts/|\.build/|sqlite3 )\S*\s+\S")


@dataclass(frozen=True)
class Command:
    line: int
    text: str
    shown: tuple[str, ...] = ()  # the output the README prints under it

    def __str__(self):
        return f"README.md:{self.line}: {self.text}"


def readme_commands(text: str) -> list[Command]:
    """The commands README.md shows, in order (see the module's docstring for what counts)."""
    lines = text.splitlines()
    commands, block, fence, start = [], [], False, 0
    for number, line in enumerate(lines + [""], 1):
        if line.startswith("```"):
            if fence:
                commands += block_commands(block, start)
            fence, block, start = not fence, [], number + 1
        elif fence:
            block.append(line)
        elif line.startswith("    ") and (block or not lines[number - 2].strip()):
            block = block or []
            start = start if block else number
            block.append(line[4:])
        else:
            if block:
                commands += block_commands(block, start)
                block = []
            for span in re.findall(r"`([^`]+)`", line):
                if RUNS_BY_PATH.match(span):
                    commands.append(Command(number, span))
    return sorted(commands, key=lambda c: c.line)


def block_commands(block: list[str], start: int) -> list[Command]:
    if any(BOX_DRAWING.search(line) for line in block):
        return []  # a diagram
    if any(line.startswith("$ ") for line in block):
        found = []
        for offset, line in enumerate(block):
            if line.startswith("$ "):
                found.append([start + offset, line[2:], []])
            elif found:
                found[-1][2].append(line)
        return [Command(n, text, tuple(shown)) for n, text, shown in found]
    commands, pending = [], None
    for offset, line in enumerate(block):
        line = re.sub(r"\s+#.*$", "", line).strip()  # a comment beside the command
        if not line:
            continue
        if pending:
            pending[1] += " " + line
        else:
            pending = [start + offset, line]
        if pending[1].endswith("\\"):
            pending[1] = pending[1][:-1].rstrip()
        else:
            commands.append(Command(*pending))
            pending = None
    return commands


COMMANDS = readme_commands(README.read_text())


def shape(shown: str) -> re.Pattern:
    """A shown output line as a pattern: any number where it has one, any run of blanks."""
    parts = re.split(r"(\d+|\s+)", shown)
    return re.compile("".join(r"\d+" if p.isdigit() else r"\s+" if p.isspace() else re.escape(p) for p in parts if p))


def run_shell(command: str, cwd, env=None, timeout=900):
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def without_userstream_variables() -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith("USERSTREAM_")}


# --- scripts/up.sh as printed, and what the README says to look at afterwards -----------------

@pytest.fixture(scope="module")
def checkout_after_up():
    """The README's first command, exactly as printed, in this checkout, with the sink it fills
    removed first as a fresh clone has none."""
    assert COMMANDS[0].text == "scripts/up.sh", f"the README's first command is {COMMANDS[0]}"
    for leftover in (ROOT / "data").glob("users.db*"):
        leftover.unlink()
    result = run_shell(COMMANDS[0].text, ROOT, env=without_userstream_variables())
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    with sqlite3.connect(ROOT / "data" / "users.db") as sink:
        rows = sink.execute("SELECT COUNT(*) FROM created_users").fetchone()[0]
    return result, rows


def check_up_script(command, checkout_after_up):
    result, rows = checkout_after_up
    totals = summary(result.stdout)
    assert int(totals["published"]) > 0, totals
    assert totals["published"] == totals["stored"] == totals["rows_in_sink"] == str(rows), totals


def check_up_script_with_count(command, checkout_after_up):
    count = int(re.search(r"--count (\d+)", command.text).group(1))
    result = run_shell(command.text, ROOT, env=without_userstream_variables())
    assert result.returncode == 0, result.stderr[-3000:]
    totals = summary(result.stdout)
    assert totals["published"] == str(count), totals
    # A record delivered again after a rebalance is stored again: an upsert, counted twice.
    assert int(totals["stored"]) >= count and int(totals["rows_in_sink"]) >= count, totals


def check_up_script_with_the_real_api(command, checkout_after_up):
    """randomuser.me itself cannot be reached from here: the run must end with an error naming
    it and a summary; with a network it is the ordinary run."""
    result = run_shell(command.text, ROOT, env=without_userstream_variables())
    if result.returncode == 0:
        assert int(summary(result.stdout)["stored"]) > 0, result.stdout
    else:
        assert "randomuser.me" in result.stderr and "userstream: error:" in result.stderr, result.stderr[-3000:]


def check_sqlite3(command, checkout_after_up):
    result = run_shell(command.text, ROOT)
    assert result.returncode == 0, result.stderr
    limit = int(re.search(r"limit (\d+)", command.text).group(1))
    rows = result.stdout.splitlines()
    assert len(rows) == limit, result.stdout
    for row in rows:  # sqlite3's list mode: the twelve columns joined by |
        assert re.match(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\|", row), row
        assert row.count("|") >= len(FIELDS) - 1, row


def check_query_in_checkout(command, checkout_after_up):
    result = run_shell(command.text, ROOT, env=without_userstream_variables())
    assert result.returncode == 0, result.stderr
    limit = int(re.search(r"--limit (\d+)", command.text).group(1))
    users = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(users) == limit, result.stdout
    assert all(list(user) == FIELDS for user in users), users[0]


def test_up_as_an_ordinary_user_from_the_checkout(checkout_after_up):
    """`userstream up`, no flags, as uid 65534 from the checkout, 2 s of producing. In a user's own
    clone the user owns data/ and logs/; in this root-owned checkout they are given to that user
    for the run (and given back), so the run needs nothing an ordinary user lacks."""
    binary = ROOT / ".build" / "debug" / "userstream"
    drop = ["setpriv", f"--reuid={NOBODY[0]}", f"--regid={NOBODY[1]}", "--clear-groups", "--"] if os.geteuid() == 0 else []
    folders = [ROOT / "data", ROOT / "logs"]
    owner = ROOT.stat()
    for folder in folders:
        folder.mkdir(exist_ok=True)
    try:
        for folder in folders:
            subprocess.run(["chown", "-R", f"{NOBODY[0]}:{NOBODY[1]}", str(folder)], check=bool(drop))
        env = dict(without_userstream_variables(), USERSTREAM_DURATION="2")
        result = subprocess.run([*drop, ".build/debug/userstream", "up"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, f"{binary} up as uid {NOBODY[0]}: {result.stderr[-3000:]}"
        totals = summary(result.stdout)
        assert int(totals["published"]) > 0 and totals["published"] == totals["stored"], totals
        assert int(totals["rows_in_sink"]) >= int(totals["stored"]), totals
    finally:
        for folder in folders:
            subprocess.run(["chown", "-R", f"{owner.st_uid}:{owner.st_gid}", str(folder)], check=False)


# --- a live pipeline for the commands that watch one -----------------------------------------

@pytest.fixture(scope="module")
def live_pipeline(tmp_path_factory):
    """Broker, stand-in API and a folder where `produce` and `stream` ran on the defaults (topic
    users_created, group userstream, sink sqlite:data/users.db), as the README's examples assume.
    `userstream` is on PATH; the broker's address comes from USERSTREAM_BOOTSTRAP_SERVERS, since
    its default port may be taken."""
    broker, api = Broker(), StandInAPI()
    folder = tmp_path_factory.mktemp("readme-pipeline")
    if run_as():
        os.chown(folder, *run_as())
    (folder / ".build").symlink_to(ROOT / ".build")
    binary = userstream_bin()
    env = dict(without_userstream_variables(), USERSTREAM_BOOTSTRAP_SERVERS=broker.bootstrap,
               PATH=f"{binary.parent}:{os.environ['PATH']}")
    try:
        for step in (["setup"], ["produce", "--count", "3000", "--api", api.url], ["stream", "--until-idle", "3"]):
            result = subprocess.run([str(binary), *step], cwd=folder, env=env, capture_output=True, text=True, timeout=300)
            assert result.returncode == 0, f"{step}: {result.stderr[-2000:]}"
        yield folder, env
    finally:
        api.stop()
        broker.stop()


def check_shown_output(command, live_pipeline):
    folder, env = live_pipeline
    assert_shown(command, run_shell(command.text, folder, env=env, timeout=120))


@pytest.fixture(scope="module")
def group_committed_by_a_leaving_member(tmp_path_factory):
    """3,000 users on the users topic, all committed by group userstream through a kafka-python
    member that leaves the group when closed: a `stream` that led its group stays listed on Tansu
    0.6 until another member joins, and `kafka groups reset` refuses a group with members."""
    from kafka import KafkaConsumer
    broker, api = Broker(), StandInAPI()
    folder = tmp_path_factory.mktemp("readme-reset")
    binary = userstream_bin()
    env = dict(without_userstream_variables(), USERSTREAM_BOOTSTRAP_SERVERS=broker.bootstrap,
               PATH=f"{binary.parent}:{os.environ['PATH']}")
    try:
        for step in (["kafka", "topics", "create", "users_created", "--partitions", "3"], ["produce", "--count", "3000", "--api", api.url]):
            result = subprocess.run([str(binary), *step], cwd=folder, env=env, capture_output=True, text=True, timeout=300)
            assert result.returncode == 0, f"{step}: {result.stderr[-2000:]}"
        consumer = KafkaConsumer("users_created", bootstrap_servers=broker.bootstrap, group_id="userstream", enable_auto_commit=False,
                                 auto_offset_reset="earliest", session_timeout_ms=6000, heartbeat_interval_ms=500)
        read = 0
        while read < 3000:  # the poll is the pause
            read += sum(len(records) for records in consumer.poll(timeout_ms=500).values())
        consumer.commit()
        consumer.close()
        yield folder, env
    finally:
        api.stop()
        broker.stop()


def check_groups_reset(command, group_committed_by_a_leaving_member):
    assert "--dry-run" in command.text
    folder, env = group_committed_by_a_leaving_member
    assert_shown(command, run_shell(command.text, folder, env=env, timeout=120))


def assert_shown(command, result):
    """`result` exited 0 and printed the lines the README shows under `command`, in their shape."""
    assert result.returncode == 0, result.stderr
    printed = result.stdout.splitlines()
    assert len(printed) == len(command.shown), f"README shows:\n{chr(10).join(command.shown)}\nprinted:\n{result.stdout}"
    for shown, line in zip(command.shown, printed):
        assert shape(shown).fullmatch(line), f"README shows {shown!r}, printed {line!r}"


# --- the "After an incident" walkthrough, in order, on a pipeline of its own -------------------

INCIDENT = re.compile(r"userstream (status|dlq stats|dlq replay --reason invalid_date|stream --until-idle 3|verify)")


@pytest.fixture(scope="module")
def incident(tmp_path_factory):
    """The walkthrough's pipeline: on a broker without the contract (so records that are not JSON
    reach the topic), 20 users and 2 such records streamed, and 3 valid users written onto the
    dead-letter topic with the stream's headers, standing for records whose cause was fixed; then
    the walkthrough's commands run in the README's order. Their results, by README line."""
    broker = Broker(schema_registry=False)
    folder = tmp_path_factory.mktemp("readme-incident")
    if run_as():
        os.chown(folder, *run_as())
    binary = userstream_bin()
    env = dict(without_userstream_variables(), USERSTREAM_BOOTSTRAP_SERVERS=broker.bootstrap,
               PATH=f"{binary.parent}:{os.environ['PATH']}")
    try:
        assert run_shell("userstream setup", folder, env=env).returncode == 0
        producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
        for n in range(20):
            user = good_user(n)
            producer.send("users_created", key=user["id"].encode(), value=encoded(user))
        for n in range(2):
            producer.send("users_created", key=f"bad-{n}".encode(), value=b"this is not JSON")
        for n in range(3):
            user = good_user(100 + n)
            producer.send("users_created.dlq", key=user["id"].encode(), value=encoded(user), partition=n, headers=[
                ("dlq.reason", b"invalid_date"), ("dlq.message", b"refused by the old rule"), ("dlq.source.topic", b"users_created"),
                ("dlq.source.partition", str(n).encode()), ("dlq.source.offset", b"0")])
        producer.flush()
        producer.close()
        assert run_shell("userstream stream --until-idle 3", folder, env=env).returncode == 0
        yield {c.line: run_shell(c.text, folder, env=env, timeout=120) for c in COMMANDS if INCIDENT.fullmatch(c.text)}
    finally:
        broker.stop()


def check_incident_step(command, incident):
    assert_shown(command, incident[command.line])


UUID = re.compile(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}")


def check_verify(command, live_pipeline, tmp_path_factory):
    """As the README shows it: on a copy of the live pipeline's sink with one row deleted and
    one row's email edited, `verify` names both and exits 1."""
    folder, env = live_pipeline
    copy = tmp_path_factory.mktemp("readme-verify")
    (copy / "data").mkdir()
    with sqlite3.connect(f"file:{folder / 'data' / 'users.db'}?mode=ro", uri=True) as source, \
            sqlite3.connect(copy / "data" / "users.db") as target:
        source.backup(target)
        target.execute("DELETE FROM created_users WHERE rowid = 42")
        target.execute("UPDATE created_users SET email = 'changed@example.com' WHERE rowid = 7")
    for path in (copy, copy / "data", copy / "data" / "users.db"):
        give_to_run_as(path)
    result = run_shell(command.text, copy, env=env, timeout=120)
    assert result.returncode == 1, result.stderr
    printed = result.stdout.splitlines()
    assert len(printed) == len(command.shown), f"README shows:\n{chr(10).join(command.shown)}\nprinted:\n{result.stdout}"
    for shown, line in zip(command.shown, printed):
        assert shape(UUID.sub("ID", shown)).fullmatch(UUID.sub("ID", line)), f"README shows {shown!r}, printed {line!r}"


# --- commands that cannot run here, checked as far as they can be ------------------------------

def flags_exist(command, help_command, cwd):
    """Every --flag of `command` is one that `help_command --help` lists."""
    help_text = run_shell(f"{help_command} --help", cwd, env=dict(os.environ, PATH=f"{userstream_bin().parent}:{os.environ['PATH']}"))
    assert help_text.returncode == 0, help_text.stderr
    for flag in re.findall(r"(?<!\S)(--[a-z][a-z-]*)", command.text):
        assert flag in help_text.stdout, f"{flag} of {command} is not in `{help_command} --help`"


def check_spark(command):
    """Against the compose stack's Spark (kafka:29092 and sc://localhost:15002 are its names):
    tests/spark runs submit, status and stop against a real Spark Connect server, and the
    rehearsal runs them on the rehearsed cluster; here the README's flags are checked."""
    words = shlex.split(command.text)
    flags_exist(command, " ".join(words[:3]), ROOT)
    for test in ("tests/spark/test_spark_submit.py::test_submitted_query_shows_in_status_and_stops",
                 "tests/deploy/test_rehearsal.py::test_spark_submit_runs_the_seed_job_on_the_standalone_cluster"):
        path, name = test.split("::")
        assert f"def {name}(" in (ROOT / path).read_text(), f"{test} is gone"


def check_benchmark(command):
    """Measurements of minutes, not tests: the script and its flags exist."""
    script = re.search(r"(\S*python) (benchmarks/\S+\.py)", command.text)
    flags_exist(command, f".venv/bin/python {script.group(2)}", ROOT)


def check_test_script(command):
    """What CI runs: this module is one of its stages."""
    assert command.text in (ROOT / ".ci" / "run").read_text()
    assert "tests/test_readme.py" in (ROOT / "scripts" / "test.sh").read_text()


def check_tansu_script(command):
    result = run_shell(command.text, ROOT)
    assert result.returncode == 0, result.stderr
    match = re.fullmatch(r"127\.0\.0\.1:(\d+) (\d+)\n", result.stdout)
    assert match, result.stdout
    subprocess.run([str(ROOT / "scripts" / "tansu.sh"), "stop", match.group(2)], check=True)


# Each command of the README, by a pattern it must match in full, and the check that runs it.
CHECKS = [
    (r"scripts/up\.sh", check_up_script),
    (r"scripts/up\.sh --count \d+", check_up_script_with_count),
    (r"scripts/up\.sh --api https://randomuser\.me/api/", check_up_script_with_the_real_api),
    (r"scripts/test\.sh", check_test_script),
    (r"scripts/tansu\.sh start( --no-schema-registry)?", check_tansu_script),
    (r"sqlite3 data/users\.db 'select \* from created_users limit \d+'", check_sqlite3),
    (r"\.build/debug/userstream query --limit \d+", check_query_in_checkout),
    (r"userstream status .*", check_shown_output),
    (r"userstream kafka groups reset userstream --to \S+ --dry-run", check_groups_reset),
    (INCIDENT.pattern, check_incident_step),
    (r"userstream verify .*", check_verify),
    (r"userstream spark (submit|status|stop) .*", check_spark),
    (r"USERSTREAM_BIN=\S+ \.venv/bin/python benchmarks/\w+\.py( --\w+ \d+)*", check_benchmark),
]


def check_for(command: Command):
    matching = [check for pattern, check in CHECKS if re.fullmatch(pattern, command.text)]
    return matching[0] if len(matching) == 1 else None


def test_every_command_the_readme_shows_has_a_check():
    uncovered = [str(c) for c in COMMANDS if check_for(c) is None]
    assert not uncovered, "commands in README.md that no check in tests/test_readme.py runs:\n" + "\n".join(uncovered)
    unused = [pattern for pattern, _ in CHECKS if not any(re.fullmatch(pattern, c.text) for c in COMMANDS)]
    assert not unused, f"checks for commands README.md no longer shows: {unused}"


@pytest.mark.parametrize("command", COMMANDS, ids=[f"line {c.line}: {c.text[:60]}" for c in COMMANDS])
def test_readme_command_runs_as_shown(command, request):
    check = check_for(command)
    if check is None:
        pytest.fail(f"no check for {command}")
    fixtures = list(inspect.signature(check).parameters)[1:]  # after the command: what it runs against
    check(command, **{name: request.getfixturevalue(name) for name in fixtures})


def test_the_module_finds_the_readmes_commands():
    """The extraction itself, on a small README of each kind of block."""
    text = "\n".join([
        "Run `scripts/up.sh --count 5` or see `scripts/s3.sh`.", "",
        "```", "scripts/a.sh   # comment", "userstream b \\", "    --flag x", "```", "",
        "```", "api ──▶ kafka", "```", "",
        "    $ userstream status", "    total 5", "", "after",
    ])
    assert [(c.line, c.text, c.shown) for c in readme_commands(text)] == [
        (1, "scripts/up.sh --count 5", ()),
        (4, "scripts/a.sh", ()),
        (5, "userstream b --flag x", ()),
        (13, "userstream status", ("total 5",)),
    ]
    assert check_for(Command(1, "userstream kafka consume users_created")) is None  # no check: the README could not show it
