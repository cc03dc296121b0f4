"""Shared setup for the deploy tests (fixtures are re-exported by conftest.py): a real Airflow 3 (from .venv-airflow, made by
scripts/setup-airflow.sh) with a throw-away home, the built userstream binary,
a Tansu broker and the binary's stand-in API."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DAGS = ROOT / "dags"

sys.path.insert(0, str(ROOT / "tests"))
from processes import Broker, StandInAPI, userstream_bin  # noqa: E402,F401


def airflow_bin() -> Path:
    """The airflow command of the venv running these tests."""
    path = Path(sys.executable).parent / "airflow"
    assert path.exists(), (f"{path} is missing — run scripts/setup-airflow.sh and run these "
                           "tests with .venv-airflow/bin/python -m pytest tests/deploy")
    return path


class Airflow:
    """Runs the airflow command against one throw-away AIRFLOW_HOME with the repo's dags/."""

    def __init__(self, home: Path, dags: Path = DAGS):
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW_", "AIRFLOW__", "USERSTREAM_"))}
        self.env.update(
            AIRFLOW_HOME=str(home),
            AIRFLOW__CORE__DAGS_FOLDER=str(dags),
            AIRFLOW__CORE__LOAD_EXAMPLES="False",
            AIRFLOW__CORE__UNIT_TEST_MODE="False",
            # A failing run must fail now, not wait out the production retry delay.
            USERSTREAM_TASK_RETRIES="0",
        )

    def run(self, *args, extra_env=None, timeout=900):
        env = dict(self.env, **(extra_env or {}))
        return subprocess.run([str(airflow_bin()), *args], env=env, cwd=self.env["AIRFLOW_HOME"],
                              capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def airflow(tmp_path_factory):
    home = tmp_path_factory.mktemp("airflow-home")
    af = Airflow(home)
    result = af.run("db", "migrate")
    assert result.returncode == 0, f"airflow db migrate failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
    return af


@pytest.fixture
def broker():
    b = Broker()
    yield b
    b.stop()


@pytest.fixture(scope="session")
def stand_in_api():
    """`userstream serve-api --port 0`; yields the API URL it prints."""
    api = StandInAPI()
    yield api.url
    api.stop()
