"""The prometheus service of deploy/docker-compose.yml: pinned to the release whose promtool
checks its configuration here (Debian's), scraping the status service and every stream replica,
with alerts each unit-tested by `promtool test rules` (a series that fires it, one that does not)
and documented in deploy/README.md. Needs promtool (scripts/setup-airflow.sh installs Debian's
prometheus package)."""
import re
import shutil
import subprocess
from pathlib import Path

import yaml

from deploy_env import DEPLOY, ROOT

PROMETHEUS = DEPLOY / "prometheus"
UNIT_TESTS = ROOT / "tests" / "deploy" / "prometheus" / "alerts.test.yml"
services = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())["services"]


def promtool(*args) -> subprocess.CompletedProcess:
    tool = shutil.which("promtool")
    assert tool, "promtool is missing — run scripts/setup-airflow.sh (Debian's prometheus package)"
    return subprocess.run([tool, *map(str, args)], capture_output=True, text=True, timeout=120)


def alerts(path: Path = PROMETHEUS / "alerts.yml") -> dict:
    return {rule["alert"]: rule for group in yaml.safe_load(path.read_text())["groups"] for rule in group["rules"]}


def test_promtool_checks_the_configuration_and_its_alerts():
    result = promtool("check", "config", PROMETHEUS / "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(alerts())} rules found" in result.stdout + result.stderr


def test_config_check_fails_on_a_broken_rule(tmp_path):
    (tmp_path / "prometheus.yml").write_text((PROMETHEUS / "prometheus.yml").read_text())
    (tmp_path / "alerts.yml").write_text((PROMETHEUS / "alerts.yml").read_text().replace("== 0", "== = 0", 1))
    assert promtool("check", "config", tmp_path / "prometheus.yml").returncode != 0


def test_alert_unit_tests_pass():
    result = promtool("test", "rules", UNIT_TESTS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_alert_unit_tests_fail_when_an_alert_changes(tmp_path):
    """The unit tests see a changed threshold: the replica-down alert made to fire on up == 1."""
    broken = tmp_path / "alerts.yml"
    broken.write_text((PROMETHEUS / "alerts.yml").read_text().replace('up{job="userstream-stream"} == 0', 'up{job="userstream-stream"} == 1'))
    tests = tmp_path / "alerts.test.yml"
    tests.write_text(UNIT_TESTS.read_text().replace("../../../deploy/prometheus/alerts.yml", str(broken)))
    result = promtool("test", "rules", tests)
    assert result.returncode != 0 and "StreamReplicaDown" in result.stdout + result.stderr


def test_every_alert_has_a_test_that_fires_it_and_one_that_does_not():
    cases = [case for test in yaml.safe_load(UNIT_TESTS.read_text())["tests"] for case in test.get("alert_rule_test", [])]
    fires = {c["alertname"] for c in cases if c.get("exp_alerts")}
    quiet = {c["alertname"] for c in cases if not c.get("exp_alerts")}
    assert set(alerts()) <= fires, f"no firing test: {set(alerts()) - fires}"
    assert set(alerts()) <= quiet, f"no quiet test: {set(alerts()) - quiet}"


def test_the_required_alerts_exist_with_a_summary_saying_what_to_look_at():
    required = {"StreamReplicaDown", "ConsumerLagGrowing", "UsersDeadLettered", "NoUsersStored",
                "ProducerFailingToDeliver", "APIRetriesClimbing"}
    assert required <= set(alerts())
    for name, rule in alerts().items():
        assert "look at" in rule["annotations"]["summary"] or "read " in rule["annotations"]["summary"], name


def test_every_alert_is_explained_in_the_readme():
    section = (DEPLOY / "README.md").read_text().split("## Alerts", 1)[-1]
    for name in alerts():
        assert f"`{name}`" in section, f"deploy/README.md's Alerts section does not explain {name}"


def test_prometheus_image_is_the_release_promtool_checks_with():
    version = re.search(r"version (\d+\.\d+\.\d+)", promtool("--version").stdout).group(1)
    assert services["prometheus"]["image"] == f"prom/prometheus:v{version}"


def test_prometheus_loads_this_folder_and_scrapes_status_and_every_stream_replica():
    prometheus = services["prometheus"]
    assert "./prometheus:/etc/prometheus:ro" in prometheus["volumes"]
    assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    assert config["rule_files"] == ["alerts.yml"]
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}

    def http_port(service):
        command = services[service]["command"]
        return int(command[command.index("--http") + 1].rsplit(":", 1)[1])

    assert jobs["userstream-status"]["static_configs"][0]["targets"] == [f"userstream-status:{http_port('userstream-status')}"]
    # The service name resolves to every replica on the compose network.
    assert jobs["userstream-stream"]["dns_sd_configs"] == [
        {"names": ["userstream-stream"], "type": "A", "port": http_port("userstream-stream"), "refresh_interval": "15s"}]
