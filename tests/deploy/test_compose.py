"""deploy/docker-compose.yml: passes the compose specification's JSON schema, pins every
image, waits on healthchecks, documents its ports, and runs userstream only with flags
the built binary accepts. (No Docker engine runs here, so the stack itself is not started.)"""
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from deploy_env import DAGS, DEPLOY, airflow_bin, userstream_bin

COMPOSE = DEPLOY / "docker-compose.yml"
SUBCOMMANDS = {"produce", "stream", "setup", "status", "serve-api", "query", "up", "spark", "kafka"}
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def services() -> dict:
    return compose()["services"]


def validate(path: Path) -> subprocess.CompletedProcess:
    checker = Path(sys.executable).parent / "check-jsonschema"
    assert checker.exists(), f"{checker} is missing — run scripts/setup-airflow.sh"
    return subprocess.run([str(checker), "--builtin-schema", "vendor.compose-spec", str(path)],
                          capture_output=True, text=True)


def test_compose_file_passes_the_compose_specification_schema():
    result = validate(COMPOSE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_rejects_an_invalid_compose_file(tmp_path):
    """The check above is only worth something if it fails on a broken file."""
    broken = tmp_path / "docker-compose.yml"
    broken.write_text("services:\n  a:\n    image: x:1\n    depends_on:\n"
                      "      b:\n        condition: when_it_feels_like_it\n    ports: 9092\n")
    assert validate(broken).returncode != 0


@pytest.mark.parametrize("name", sorted(services()))
def test_every_image_is_pinned(name):
    service = services()[name]
    assert "image" in service, f"{name} has no image"
    image = service["image"]
    assert ":" in image.rsplit("/", 1)[-1], f"{name}: {image} has no tag"
    tag = image.rsplit(":", 1)[1]
    assert tag != "latest", f"{name}: {image} uses latest"
    if "build" not in service:  # pulled images name a version; built ones are ours
        assert re.search(r"\d", tag), f"{name}: {image} is not pinned to a version"


def test_dockerfile_base_images_are_pinned():
    for line in (DEPLOY / "Dockerfile").read_text().splitlines():
        if line.startswith("FROM "):
            image = line.split()[1]
            assert ":" in image and not image.endswith(":latest") and re.search(r":.*\d", image), line


def test_every_dependency_waits_on_a_condition():
    for name, service in services().items():
        depends = service.get("depends_on", {})
        assert isinstance(depends, dict), f"{name}: depends_on must name a condition for each service"
        for target, how in depends.items():
            assert target in services(), f"{name} depends on unknown service {target}"
            assert how.get("condition") in ("service_healthy", "service_completed_successfully"), \
                f"{name} → {target}: {how}"


def test_services_waited_on_as_healthy_have_a_healthcheck():
    healthy_targets = {target for service in services().values()
                       for target, how in service.get("depends_on", {}).items()
                       if how.get("condition") == "service_healthy"}
    assert healthy_targets
    for target in healthy_targets:
        check = services()[target].get("healthcheck")
        assert check and not check.get("disable") and check.get("test"), f"{target} has no healthcheck"


def test_long_running_services_with_ports_have_a_healthcheck():
    for name, service in services().items():
        if service.get("ports"):
            assert service.get("healthcheck", {}).get("test"), f"{name} publishes ports but has no healthcheck"


def test_every_published_port_is_documented():
    readme = (DEPLOY / "README.md").read_text()
    for name, service in services().items():
        for mapping in service.get("ports", []):
            host_port = str(mapping).split("}", 1)[-1].split(":")[-2]
            assert re.search(rf"(?<!\d){host_port}(?!\d)", readme), f"port {host_port} of {name} is not in deploy/README.md"


def test_stream_processor_runs_two_replicas_in_one_group():
    stream = services()["userstream-stream"]
    assert stream["deploy"]["replicas"] == 2
    command = stream["command"]
    assert command[command.index("--group") + 1] == "userstream-stream"


def test_spark_connectors_match_the_spark_and_scala_versions():
    connect = services()["spark-connect"]
    image_tag = connect["image"].rsplit(":", 1)[1]
    spark_version = image_tag.split("-")[0]
    scala = re.search(r"scala(\d+\.\d+)", image_tag).group(1)
    packages = connect["command"][connect["command"].index("--packages") + 1].split(",")
    kafka = [p for p in packages if ":spark-sql-kafka-0-10_" in p]
    cassandra = [p for p in packages if ":spark-cassandra-connector_" in p]
    assert kafka == [f"org.apache.spark:spark-sql-kafka-0-10_{scala}:{spark_version}"]
    assert len(cassandra) == 1 and cassandra[0].split(":")[1].endswith(f"_{scala}")
    for name in ("spark-master", "spark-worker"):
        assert services()[name]["image"] == connect["image"]


def compose_command_lines() -> list[tuple[str, list[str]]]:
    """Every userstream command line in the compose file, as (service, argv)."""
    lines = []
    for name, service in services().items():
        command = service.get("command")
        if service.get("image", "").startswith("userstream/userstream:") and isinstance(command, list):
            lines.append((name, command))
    return lines


def dag_command_line() -> list[str]:
    """The DAG's produce command line, with every setting filled in."""
    spec = importlib.util.spec_from_file_location("user_automation_dag", DAGS / "user_automation.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.setting = lambda name: f"<{name}>"
    return module.produce_command()[1:]


COMMAND_LINES = [(f"compose:{name}", argv) for name, argv in compose_command_lines()] + \
                [("dags/user_automation.py", dag_command_line())]


def test_compose_runs_setup_stream_and_status():
    assert sorted(argv[0] for _, argv in compose_command_lines()) == ["setup", "status", "stream"]


@pytest.mark.parametrize("where,argv", COMMAND_LINES, ids=[w for w, _ in COMMAND_LINES])
def test_userstream_command_lines_use_flags_the_binary_accepts(where, argv):
    subcommand = argv[0]
    assert subcommand in SUBCOMMANDS, f"{where}: unknown subcommand {subcommand}"
    result = subprocess.run([str(userstream_bin()), subcommand, "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, (f"{where}: `userstream {subcommand} --help` failed — the binary "
                                    f"has no {subcommand} command yet:\n{result.stdout}{result.stderr}")
    # An unknown subcommand makes the parser print the top-level help instead.
    assert f"USAGE: userstream {subcommand}" in result.stdout, \
        f"{where}: the binary has no {subcommand} command yet:\n{result.stdout[:1500]}"
    accepted = set(FLAG.findall(result.stdout))
    used = [arg.split("=", 1)[0] for arg in argv[1:] if arg.startswith("--")]
    unknown = [flag for flag in used if flag not in accepted]
    assert not unknown, f"{where}: userstream {subcommand} does not accept {unknown}; it accepts {sorted(accepted)}"


def airflow_services() -> dict:
    return {name: s for name, s in services().items() if s.get("image", "").startswith("userstream/airflow:")}


def test_airflow_settings_are_options_of_the_pinned_airflow(airflow):
    """A misspelt AIRFLOW__SECTION__KEY is silently ignored; ask the real Airflow 3.3.2."""
    defaults = airflow.run("config", "list", "--defaults")
    assert defaults.returncode == 0, defaults.stderr[-2000:]
    known = set(re.findall(r"Variable: (AIRFLOW__\w+)", defaults.stdout))
    assert known
    used = {key for s in airflow_services().values() for key in s["environment"] if key.startswith("AIRFLOW__")}
    assert used and not used - known, f"not Airflow 3.3.2 options: {sorted(used - known)}"


def test_airflow_services_run_commands_of_the_pinned_airflow(airflow):
    commands = {s["command"] for s in airflow_services().values() if isinstance(s.get("command"), str)}
    assert commands == {"api-server", "scheduler", "dag-processor"}
    for command in commands:
        result = airflow.run(command, "--help")
        assert result.returncode == 0, f"airflow {command}: {result.stderr[-1000:]}"
    checks = {tuple(s.get("healthcheck", {}).get("test", [])) for s in airflow_services().values()}
    for test in checks:
        if test[1:2] == ("airflow",):
            result = airflow.run(*test[2:])
            # No job is running here, so the check itself fails; its arguments must parse.
            assert "error: argument" not in result.stderr and "invalid choice" not in result.stderr, \
                f"healthcheck {' '.join(test[1:])}: {result.stderr[-1000:]}"


def test_cassandra_requires_passwords():
    """PasswordAuthenticator is set by the mounted entrypoint, which the service runs, and the
    healthcheck signs in as the administrative role (its cqlshrc written by that entrypoint)."""
    cassandra = services()["cassandra"]
    script = DEPLOY / "cassandra" / "entrypoint.sh"
    mount = f"./cassandra/entrypoint.sh:{cassandra['entrypoint'][-1]}:ro"
    assert mount in cassandra["volumes"]
    text = script.read_text()
    assert "s/AllowAllAuthenticator/PasswordAuthenticator/" in text
    assert "LOGIN = false" in text, "the image's built-in superuser keeps its login"
    check = " ".join(cassandra["healthcheck"]["test"])
    assert "--cqlshrc /run/cqlsh/userstream_admin.rc" in check and " -p " not in check
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0


def test_airflow_init_migrates_and_creates_the_admin_only_once(airflow, tmp_path):
    """Runs the init service's script twice with the real Airflow on a throw-away database."""
    init = services()["airflow-init"]
    assert init["restart"] == "no"
    script = init["command"][0].replace("$$", "$")  # what compose hands to the shell
    home = tmp_path / "home"
    (home / "logs").mkdir(parents=True)
    passwords = tmp_path / "auth" / "passwords.json"
    passwords.parent.mkdir()
    env = dict(airflow.env, AIRFLOW_HOME=str(home),
               AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{tmp_path / 'airflow.db'}",
               AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=str(passwords),
               PATH=f"{airflow_bin().parent}:{os.environ['PATH']}")

    first = subprocess.run(["bash", "-c", script], env=dict(env, AIRFLOW_ADMIN_PASSWORD="first"),
                           capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    assert "created the admin user" in first.stdout
    assert json.loads(passwords.read_text()) == {"admin": "first"}

    second = subprocess.run(["bash", "-c", script], env=dict(env, AIRFLOW_ADMIN_PASSWORD="second"),
                            capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stdout[-2000:] + second.stderr[-2000:]
    assert "admin user exists, left as is" in second.stdout
    assert json.loads(passwords.read_text()) == {"admin": "first"}


def test_kafka_runs_in_kraft_mode_with_network_and_host_listeners():
    kafka = services()["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    assert "controller" in kafka["environment"]["KAFKA_PROCESS_ROLES"]
    assert not any("zookeeper" in name or "ZOOKEEPER" in str(s.get("environment", "")).upper()
                   for name, s in services().items())
    advertised = kafka["environment"]["KAFKA_ADVERTISED_LISTENERS"]
    assert "//kafka:29092" in advertised and "//localhost:9092" in advertised
    assert "${USERSTREAM_PUBLISH_ADDRESS:-127.0.0.1}:9092:9092" in kafka["ports"]


def test_spark_is_version_4():
    for name in ("spark-master", "spark-worker", "spark-connect"):
        assert services()[name]["image"].split(":")[1].startswith("4.")
