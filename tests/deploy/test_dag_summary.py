"""How the DAG reads the number of published users from `userstream produce`'s summary line."""
import importlib.util

import pytest

from deploy_env import DAGS


def dag_module():
    spec = importlib.util.spec_from_file_location("user_automation_summary", DAGS / "user_automation.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("line,count", [
    ("fetched=30 published=27 failed=3 users/s=0.5", 27),
    ("produce: fetched: 30, published: 30, failed: 0, 0.5 users/s", 30),
    ("fetched 30, published 30, failed 0", 30),
    ("produced 12 users published in 60 s", 12),
    ("fetched=30 failed=0", None),
])
def test_published_count_reads_the_summary_line(line, count):
    assert dag_module().published_count(line) == count


def test_settings_prefer_variable_then_environment_then_default(monkeypatch):
    module = dag_module()
    variables = {}
    monkeypatch.setattr(module.Variable, "get", staticmethod(lambda key, default=None: variables.get(key, default)))
    monkeypatch.delenv("USERSTREAM_BOOTSTRAP_SERVERS", raising=False)
    assert module.setting("bootstrap_servers") == "kafka:29092"
    monkeypatch.setenv("USERSTREAM_BOOTSTRAP_SERVERS", "env:9092")
    assert module.setting("bootstrap_servers") == "env:9092"
    variables["userstream_bootstrap_servers"] = "variable:9092"
    assert module.setting("bootstrap_servers") == "variable:9092"


def test_produce_runs_for_the_seeds_minute_by_default(monkeypatch):
    module = dag_module()
    monkeypatch.setattr(module.Variable, "get", staticmethod(lambda key, default=None: default))
    monkeypatch.delenv("USERSTREAM_DURATION", raising=False)
    command = module.produce_command()
    assert command[1] == "produce"
    assert command[command.index("--duration") + 1] == "60"
