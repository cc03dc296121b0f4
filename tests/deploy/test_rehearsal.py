"""The compose stack rehearsed: deploy/docker-compose.yml's services started as local processes
with their own commands, environments and users (tests/deploy/rehearsal/stack.py says exactly
what is rewritten), then driven the way a user drives the stack — sign in to Airflow's REST API,
unpause and trigger user_automation, watch the users reach the sink once each, read the status
page and `status --json`, submit the seed's Spark job to the standalone cluster, see Prometheus
scrape every target, and stop both stream replicas under load to see the alerts fire. The stack
runs on secrets written by scripts/deploy-secrets.sh, and wrong passwords are refused.

Needs scripts/setup.sh (binary, Tansu) and scripts/setup-rehearsal.sh (PostgreSQL, Java,
.venv-rehearsal); run as root, since every service is started as its image's own uid:
    .venv-rehearsal/bin/python -m pytest -v tests/deploy/test_rehearsal.py"""
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest

from deploy_env import DEPLOY, ROOT, StandInAPI, userstream_bin
from rehearsal.stack import GUARD, Rehearsal, setup_hint, tail
from schema_registry_peer import ScriptedSchemaRegistry

DAG_ID = "user_automation"
TASK_ID = "stream_data_from_api"
# How long users may take to show up anywhere; a guard against hanging, never reached when it works.
ARRIVAL_GUARD = 300
# The test's override of the Prometheus configuration: scrape and evaluate every second, and every
# alert's `for:` 2 s, so an alert is seen firing within seconds rather than minutes.
PROMETHEUS_OVERRIDES = {"interval": "1s", "for": "2s"}

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="starts every service as its image's uid, which needs root")


def say(request, line=""):
    """A line in the test output as it happens (not captured)."""
    plugins = request.config.pluginmanager
    reporter, capture = plugins.getplugin("terminalreporter"), plugins.getplugin("capturemanager")
    if reporter and capture:
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)
    else:
        print(line)


@pytest.fixture(scope="module")
def rehearsal(request):
    assert shutil.which("setpriv"), f"setpriv is missing — {setup_hint()}"
    assert (ROOT / ".venv-rehearsal" / "bin" / "airflow").exists(), f".venv-rehearsal is missing — {setup_hint()}"
    # Not under pytest's tmp_path: that is private to root, and the services run as other users.
    work = Path(tempfile.mkdtemp(prefix="userstream-rehearsal-"))
    os.chmod(work, 0o755)
    # deploy/.env as an operator makes it: by the script, fresh random secrets.
    env_file = work / "deploy.env"
    subprocess.run([str(ROOT / "scripts" / "deploy-secrets.sh"), str(env_file)], check=True, capture_output=True)
    secrets = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if line and line[0] != "#")
    api = StandInAPI()  # stands in for randomuser.me (USERSTREAM_API, as deploy/.env would set it)
    registry = ScriptedSchemaRegistry()
    stack = Rehearsal(work, {**secrets, "USERSTREAM_API": api.url}, userstream_bin(),
                      report=lambda line: say(request, line),
                      peers={"schema-registry": (registry.url.split("//", 1)[1],
                                                 "the scripted schema registry peer (tests/schema_registry_peer.py)")},
                      # Another compose file (e.g. a deliberately broken copy) with REHEARSAL_COMPOSE.
                      compose=Path(os.environ.get("REHEARSAL_COMPOSE", DEPLOY / "docker-compose.yml")),
                      prometheus_overrides=PROMETHEUS_OVERRIDES)
    stack.registry = registry
    stack.secrets = secrets
    stack.api = api
    started = time.monotonic()

    def finish():
        leftovers = stack.stop()
        api.stop()
        registry.stop()
        say(request, f"rehearsal: {time.monotonic() - started:.1f} s in all, every process stopped"
                     + (f"; killed leftovers: {leftovers}" if leftovers else ""))
        if os.environ.get("REHEARSAL_KEEP"):
            say(request, f"rehearsal: kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
        assert not leftovers, f"processes outlived their service's stop: {leftovers}"

    request.addfinalizer(finish)
    # A stopped run (SIGTERM) still stops the stack: pytest runs the finalizers on an interrupt.
    previous = signal.signal(signal.SIGTERM, interrupt)
    request.addfinalizer(lambda: signal.signal(signal.SIGTERM, previous))
    say(request)
    say(request, "rehearsal of deploy/docker-compose.yml (service → how it runs here):")
    try:
        stack.start()
    finally:
        for line in stack.phase_report():
            say(request, line)
        for name, how in stack.stand_ins.items():
            say(request, f"  stand-in for {name}: {how}")
        for line in stack.rewrites:
            say(request, f"  rewritten: {line}")
    say(request, f"rehearsal: the stack was up after {time.monotonic() - started:.1f} s")
    stack.timer = started
    return stack


# ---------------------------------------------------------------- helpers

def interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def http(method, url, body=None, token=None, expect=(200,)):
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode(errors="replace")
    assert status in expect, f"{method} {url} → {status}: {text[:2000]}"
    return status, (json.loads(text) if text and text.lstrip()[:1] in "{[" else text)


def until(what, probe, guard=ARRIVAL_GUARD, every=0.5):
    """Polls `probe` until it returns something true; fails after the guard with the last value."""
    deadline = time.monotonic() + guard
    last = None
    while time.monotonic() < deadline:
        last = probe()
        if last and last[0]:
            return last[1]
        time.sleep(every)
    raise AssertionError(f"{what}: not seen within {guard} s; last: {last[1] if last else None}")


class Airflow:
    """The api-server as a user reaches it: the admin's token, then /api/v2."""

    def __init__(self, stack: Rehearsal):
        self.base = f"http://{stack.address['airflow-apiserver']}:8080"
        environment = stack.services["airflow-init"].environment
        self.password = environment["AIRFLOW_ADMIN_PASSWORD"]
        users = stack.services["airflow-apiserver"].environment["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"]
        self.user = users.split(",")[0].split(":")[0]
        _, answer = http("POST", f"{self.base}/auth/token", {"username": self.user, "password": self.password},
                         expect=(200, 201))
        self.token = answer["access_token"]

    def api(self, method, path, body=None, expect=(200,)):
        return http(method, f"{self.base}/api/v2{path}", body, self.token, expect)[1]


def userstream(stack: Rehearsal, *arguments, service="userstream-status"):
    """`docker compose exec SERVICE userstream …`: the binary as the service's user, with its environment."""
    compose_service = stack.services[service]
    image = stack.image(compose_service, service)
    uid, gid = stack.user(compose_service, image)
    result = subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--",
                             str(stack.binary), *arguments], env=stack.environment(compose_service, image),
                            cwd=image.workdir, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"userstream {' '.join(arguments)}: {result.stdout[-2000:]}{result.stderr[-2000:]}"
    return result


def sink_rows(stack):
    with sqlite3.connect(f"file:{stack.sqlite}?mode=ro", uri=True) as db:
        return db.execute("SELECT count(*), count(DISTINCT id) FROM created_users").fetchone()


class Figures(HTMLParser):
    """The figures the status page shows, by element id."""

    def __init__(self):
        super().__init__()
        self.by_id, self._open = {}, None

    def handle_starttag(self, tag, attrs):
        self._open = dict(attrs).get("id")
        if self._open:
            self.by_id.setdefault(self._open, "")

    def handle_data(self, data):
        if self._open:
            self.by_id[self._open] += data.strip()

    def handle_endtag(self, tag):
        self._open = None


RUN = {}


# ---------------------------------------------------------------- the stack as started

def test_services_that_cannot_run_here_are_listed_with_their_reason(rehearsal, request):
    readme = (DEPLOY / "README.md").read_text()
    section = readme.split("## Rehearsed here", 1)[-1] if "## Rehearsed here" in readme else ""
    for name, reason in {**rehearsal.not_run, **rehearsal.stand_ins}.items():
        say(request, f"  {name}: {reason}")
        assert f"`{name}`" in section, f"deploy/README.md's 'Rehearsed here' section does not list {name}"


def test_every_service_runs_as_its_image_user(rehearsal):
    """The uid each process has, read from the kernel; only a service the compose runs as 0 is root."""
    seen = {}
    for instance in rehearsal.instances:
        if instance.process.poll() is not None:
            continue
        status = Path(f"/proc/{instance.process.pid}/status").read_text()
        uid = int(re.search(r"^Uid:\s+(\d+)", status, re.M).group(1))
        seen[instance.name] = uid
    expected = {"postgres": rehearsal.image(rehearsal.services["postgres"], "postgres").uid,
                "airflow-apiserver": 50000, "airflow-scheduler": 50000, "airflow-dag-processor": 50000,
                "spark-master": 185, "spark-worker": 185, "spark-connect": 185,
                "userstream-stream-1": 10001, "userstream-stream-2": 10001, "userstream-status": 10001,
                "prometheus": 65534}
    for name, uid in expected.items():
        if name in seen:
            assert seen[name] == uid, f"{name} runs as uid {seen[name]}, its image's user is {uid}"
    assert set(expected) - {"postgres"} <= set(seen), f"not running: {set(expected) - set(seen)}"
    assert 0 not in seen.values(), f"a long-running service runs as root: {seen}"


def test_every_volume_is_writable_by_the_services_that_mount_it(rehearsal):
    """Docker creates a volume root-owned unless the image has the folder: a service that runs as
    another user must still be able to write to what it mounts."""
    problems = []
    for name, mounts in rehearsal.mounts.items():
        service = rehearsal.services[name]
        if service.spec.get("restart") == "no":
            continue
        image = rehearsal.image(service, name if service.replicas == 1 else f"{name}-1")
        uid, gid = rehearsal.user(service, image)
        for source, target, local in mounts:
            check = subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--",
                                    "test", "-w", str(local)])
            if check.returncode != 0:
                problems.append(f"{name} (uid {uid}) cannot write to volume {source} at {target}")
    assert not problems, "\n".join(problems)


def test_every_service_runs_with_the_privileges_the_compose_file_grants(rehearsal):
    """cap_drop/cap_add and no-new-privileges as the kernel sees them: the bounding set and the
    NoNewPrivs flag of each running process."""
    all_caps = int(Path("/proc/sys/kernel/cap_last_cap").read_text()) + 1
    problems = []
    for instance in rehearsal.instances:
        if instance.process.poll() is not None:
            continue
        name = instance.name.rsplit("-", 1)[0] if instance.name not in rehearsal.services else instance.name
        spec = rehearsal.services[name].spec
        status = Path(f"/proc/{instance.process.pid}/status").read_text()
        bounding = int(re.search(r"^CapBnd:\s+([0-9a-f]+)", status, re.M).group(1), 16)
        no_new_privs = re.search(r"^NoNewPrivs:\s+(\d)", status, re.M).group(1) == "1"
        if "ALL" in spec.get("cap_drop", []):
            allowed = {CAPABILITIES[c] for c in spec.get("cap_add", [])}
            held = {bit for bit in range(all_caps) if bounding >> bit & 1}
            if held - allowed:
                problems.append(f"{instance.name} may hold capabilities {sorted(held - allowed)}")
        if "no-new-privileges:true" in spec.get("security_opt", []) and not no_new_privs:
            problems.append(f"{instance.name} runs without no_new_privs")
    assert not problems, "\n".join(problems)


# The capability numbers of linux/capability.h the compose file names.
CAPABILITIES = {"CHOWN": 0, "DAC_OVERRIDE": 1, "FOWNER": 3, "SETGID": 6, "SETUID": 7}


def test_no_secret_is_on_any_command_line(rehearsal):
    """What `ps` shows: every process's arguments, and none holds a secret of deploy/.env."""
    exposed = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            arguments = cmdline.read_bytes().decode(errors="replace")
        except OSError:
            continue
        exposed += [f"{name} in pid {cmdline.parent.name}: {arguments[:200]!r}"
                    for name, value in rehearsal.secrets.items() if value in arguments]
    assert not exposed, exposed


def test_wrong_airflow_and_postgres_passwords_are_refused(rehearsal):
    import psycopg2  # Airflow's driver, in .venv-rehearsal

    base = f"http://{rehearsal.address['airflow-apiserver']}:8080"
    status, answer = http("POST", f"{base}/auth/token", {"username": "admin", "password": "admin"},
                          expect=(401, 403))
    assert Airflow(rehearsal).token, "the admin password from deploy/.env signs in"
    address = rehearsal.address["postgres"]
    with pytest.raises(psycopg2.OperationalError, match="password authentication failed"):
        psycopg2.connect(host=address, port=5432, user="airflow", password="airflow", dbname="airflow",
                         connect_timeout=30)
    psycopg2.connect(host=address, port=5432, user="airflow", password=rehearsal.secrets["POSTGRES_PASSWORD"],
                     dbname="airflow", connect_timeout=30).close()


# ---------------------------------------------------------------- a user drives it

def test_user_automation_runs_on_the_scheduler_when_unpaused_and_triggered(rehearsal, request):
    started = time.monotonic()
    airflow = Airflow(rehearsal)
    # The dag-processor parses dags/ and the api-server lists the DAG, paused as the compose asks.
    def listed():
        status, answer = http("GET", f"{airflow.base}/api/v2/dags/{DAG_ID}", token=airflow.token, expect=(200, 404))
        return status == 200, answer

    dag = until("user_automation listed by the api-server", listed)
    assert dag["is_paused"] is True, "DAGs start paused (AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION)"
    errors = airflow.api("GET", "/importErrors")
    assert errors["total_entries"] == 0, errors
    # A short produce keeps the rehearsal short: the DAG reads it from an Airflow Variable.
    airflow.api("POST", "/variables", {"key": "userstream_duration", "value": "5"}, expect=(200, 201))
    run = airflow.api("POST", f"/dags/{DAG_ID}/dagRuns", {"logical_date": None, "dag_run_id": "rehearsal"},
                      expect=(200, 201))
    assert run["state"] == "queued"
    airflow.api("PATCH", f"/dags/{DAG_ID}", {"is_paused": False})
    # Unpausing also lets the schedule (@daily, no catch-up) start the latest interval's run.

    def runs():
        answer = airflow.api("GET", f"/dags/{DAG_ID}/dagRuns?limit=100")
        states = {r["dag_run_id"]: (r["run_type"], r["state"]) for r in answer["dag_runs"]}
        for run_id, (_, state) in states.items():
            if state == "failed":
                raise AssertionError(f"run {run_id} failed: {task_logs(rehearsal, airflow, run_id)}")
            for ti in airflow.api("GET", f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances")["task_instances"]:
                if ti["state"] in ("up_for_retry", "failed"):
                    raise AssertionError(f"{run_id}: task {ti['state']}: {task_logs(rehearsal, airflow, run_id)}")
        done = (states.get("rehearsal", ("", ""))[1] == "success"
                and any(kind == "scheduled" for kind, _ in states.values())
                and all(state == "success" for _, state in states.values()))
        return done, states

    states = until("the triggered and the scheduled run of user_automation succeed", runs, guard=GUARD, every=1)
    published = 0
    for run_id in states:
        entry = airflow.api("GET", f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/{TASK_ID}/xcomEntries/return_value")
        published += int(entry["value"])
    assert published > 0
    RUN["published"], RUN["runs"] = published, states
    say(request, f"  airflow: runs {states}; {published} users published; "
                 f"{time.monotonic() - started:.1f} s from sign-in to success")


def task_logs(stack, airflow, run_id):
    try:
        text = airflow.api("GET", f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/{TASK_ID}/logs/1?full_content=true")
        return json.dumps(text)[-4000:]
    except AssertionError as error:
        return f"(no task log: {error}); scheduler log:\n{tail(stack.work / 'logs' / 'airflow-scheduler.log')}"


def published(request):
    if "published" not in RUN:
        pytest.fail("user_automation did not run (see the test above)")
    return RUN["published"]


def test_users_reach_the_sink_exactly_once(rehearsal, request):
    users = published(request)
    started = time.monotonic()

    stream = rehearsal.services["userstream-stream"].command
    group = stream[stream.index("--group") + 1]

    def status():
        report = json.loads(userstream(rehearsal, "status", "--json").stdout)
        assert report["group"] == group, f"`status` watches group {report['group']}, the replicas are in {group}"
        return (report["end_offset_total"] == users and report["committed_total"] == users
                and report["total_lag"] == 0 and report["sink"]["rows"] == users), report

    report = until(f"{users} users committed by the stream replicas and stored", status)
    assert "users_created-value" in rehearsal.registry.subjects, "userstream-setup did not register the contract"
    assert report["dlq_size"] == 0
    rows, distinct = sink_rows(rehearsal)
    assert rows == distinct == users, f"{rows} rows, {distinct} distinct ids, {users} users published"
    # Both replicas took part, each with its share of the partitions: their own /metrics say so.
    service = rehearsal.services["userstream-stream"]
    port = re.search(r":(\d+)$", service.command[service.command.index("--http") + 1]).group(1)
    stored = {}
    for instance in rehearsal.instances_of("userstream-stream"):
        assert instance.process.poll() is None, f"{instance.name} exited:\n{tail(instance.log)}"
        address = rehearsal.instance_address(service, instance.name)
        metrics = http("GET", f"http://{address}:{port}/metrics")[1]
        stored[instance.name] = sum(float(line.split()[-1]) for line in metrics.splitlines()
                                    if line.startswith("userstream_users_stored_total"))
    assert all(stored.values()) and sum(stored.values()) >= users, f"users stored per replica: {stored}"
    say(request, f"  sink: {rows} rows, {distinct} distinct ids, lag 0, stored per replica {stored}, "
                 f"{time.monotonic() - started:.1f} s after the DAG run")
    RUN["status"] = report


def test_status_page_shows_the_users(rehearsal):
    users = published(None)
    command = rehearsal.services["userstream-status"].command
    port = command[command.index("--http") + 1].rsplit(":", 1)[1]
    base = f"http://{rehearsal.address['userstream-status']}:{port}"
    stream = rehearsal.services["userstream-stream"].command
    group = stream[stream.index("--group") + 1]

    def refreshed():
        report = http("GET", f"{base}/status.json")[1]
        assert report["group"] == group, f"the status page watches group {report['group']}, the replicas are in {group}"
        return report["sink"]["rows"] == users and report["total_lag"] == 0, report

    report = until("the status service's refresh catching up", refreshed)
    assert http("GET", f"{base}/healthz")[0] == 200
    chromium = subprocess.run([str(ROOT / "scripts" / "setup-chromium.sh")], capture_output=True, text=True,
                              check=True).stdout.strip()
    dom = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000",
                          "--dump-dom", base + "/"], capture_output=True, text=True, timeout=120, check=True).stdout
    page = Figures()
    page.feed(dom)
    assert int(page.by_id["sink-rows"]) == users, page.by_id
    assert int(page.by_id["total-lag"]) == 0
    assert page.by_id["group"] == report["group"]


def test_spark_submit_runs_the_seed_job_on_the_standalone_cluster(rehearsal, request):
    """The seed's job (CAST(value) → from_json → the twelve fields) on the rehearsed cluster: the
    users stored by the pipeline, as JSON lines, through Spark's text source into its json sink
    (the Kafka and Cassandra connectors cannot be installed here)."""
    users = published(request)
    started = time.monotonic()
    shared = rehearsal.work / "spark-shared"  # storage the driver and the executors share
    (shared / "in").mkdir(parents=True)
    stored = userstream(rehearsal, "query").stdout
    lines = [line for line in stored.splitlines() if line.startswith("{")]
    assert len(lines) == users
    (shared / "in" / "users.json").write_text("\n".join(lines) + "\n")
    subprocess.run(["chown", "-R", "185:185", str(shared)], check=True)
    remote = f"sc://{rehearsal.address['spark-connect']}:15002"
    submitted = userstream(rehearsal, "spark", "submit", "--remote", remote, "--detach",
                           "--checkpoint", str(shared / "checkpoint"), "--source", "text",
                           "--source-option", f"path={shared / 'in'}", "--sink", "json",
                           "--sink-option", f"path={shared / 'out'}")
    rejoin = submitted.stdout.split("--remote '")[1].split("'")[0]

    def written():
        """The ids in the files the sink has committed (listed in its _spark_metadata log)."""
        ids = []
        for batch in (shared / "out" / "_spark_metadata").glob("[0-9]*"):
            for entry in batch.read_text().splitlines()[1:]:
                part = Path(urllib.parse.urlparse(json.loads(entry)["path"]).path)
                ids += [json.loads(line)["id"] for line in part.read_text().splitlines() if line.strip()]
        return len(ids) >= users, ids

    ids = until(f"{users} users written by the Spark job", written)
    expected = {json.loads(line)["id"] for line in lines}
    assert sorted(ids) == sorted(expected), "the job's output is not the stored users, once each"
    # It ran on the standalone cluster: the master lists the Connect server with the worker's cores.
    master = http("GET", f"http://{rehearsal.address['spark-master']}:8080/json/")[1]
    assert [w["state"] for w in master["workers"]] == ["ALIVE"], master["workers"]
    apps = [a for a in master["activeapps"] if a["name"] == "Spark Connect server"]
    assert apps and apps[0]["cores"] > 0, master["activeapps"]
    status = userstream(rehearsal, "spark", "status", "--remote", rejoin).stdout
    assert "active=true" in status, status
    stopped = userstream(rehearsal, "spark", "stop", "--remote", rejoin).stdout
    assert "stopped query" in stopped, stopped
    say(request, f"  spark: {len(ids)} users through the seed job on {master['url']} "
                 f"({apps[0]['cores']} cores), {time.monotonic() - started:.1f} s")


def prometheus(stack, path):
    return http("GET", f"http://{stack.address['prometheus']}:9090/api/v1/{path}")[1]["data"]


def test_prometheus_scrapes_every_target_and_the_users_stored(rehearsal, request):
    users = published(request)

    def targets():
        active = prometheus(rehearsal, "targets")["activeTargets"]
        return active and all(t["health"] == "up" for t in active), active

    active = until("every Prometheus target up", targets)
    jobs = sorted(t["labels"]["job"] for t in active)
    assert jobs == ["prometheus", "userstream-status", "userstream-stream", "userstream-stream"], jobs

    def stored():
        result = prometheus(rehearsal, "query?query=" + urllib.parse.quote('userstream_users_stored_total{job="userstream-stream"}'))["result"]
        return len(result) == 2 and sum(float(r["value"][1]) for r in result) >= users, result

    result = until("userstream_users_stored_total scraped from both replicas", stored)
    say(request, f"  prometheus: targets {[(t['labels']['job'], t['scrapeUrl'], t['health']) for t in active]}; "
                 f"userstream_users_stored_total {[(r['metric']['instance'], r['value'][1]) for r in result]}")


def test_alerts_fire_when_both_stream_replicas_stop_under_load(rehearsal, request):
    """`docker compose stop userstream-stream` while users keep arriving: the replica-down alert
    fires and the lag alert becomes pending or firing (with the test's shortened `for:`)."""
    published(request)
    status = rehearsal.services["userstream-status"]
    image = rehearsal.image(status, "userstream-status")
    uid, gid = rehearsal.user(status, image)
    load = subprocess.Popen(["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--",
                             str(rehearsal.binary), "produce", "--api", rehearsal.api.url, "--duration", "120"],
                            env=rehearsal.environment(status, image), cwd=image.workdir,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        rehearsal.stop_service("userstream-stream")
        started = time.monotonic()

        def alerts():
            found = {a["labels"]["alertname"]: a["state"] for a in prometheus(rehearsal, "alerts")["alerts"]}
            return (found.get("StreamReplicaDown") == "firing"
                    and found.get("ConsumerLagGrowing") in ("pending", "firing")), found

        until("StreamReplicaDown firing and ConsumerLagGrowing pending or firing", alerts)
        seen = prometheus(rehearsal, "alerts")["alerts"]
        say(request, f"  alerts {time.monotonic() - started:.1f} s after both stream replicas stopped:")
        for alert in seen:
            say(request, f"    {alert['labels']['alertname']} {alert['state']} {dict(alert['labels'])} "
                         f"value={alert['value']}: {alert['annotations'].get('summary')}")
    finally:
        load.terminate()
        load.wait(timeout=60)


def test_rehearsal_timings(rehearsal, request):
    say(request, f"  total so far: {time.monotonic() - rehearsal.timer:.1f} s")
