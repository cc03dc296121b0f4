"""scripts/deploy-secrets.sh writes deploy/.env with a fresh random value for every secret, mode
0600, and never overwrites one; deploy/.env.example lists every variable the compose file reads;
and the compose file refuses to start without each secret, naming it."""
import os
import re
import stat
import subprocess

import pytest

from deploy_env import DEPLOY, ROOT
from rehearsal.compose import load

SCRIPT = ROOT / "scripts" / "deploy-secrets.sh"
COMPOSE_TEXT = (DEPLOY / "docker-compose.yml").read_text()
REQUIRED = sorted(set(re.findall(r"(?<!\$)\$\{(\w+):\?", COMPOSE_TEXT)))


def written(path) -> dict:
    result = subprocess.run([str(SCRIPT), str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if line and not line.startswith("#"))


def test_writes_every_required_secret_fresh_and_private(tmp_path):
    first, second = written(tmp_path / "a.env"), written(tmp_path / "b.env")
    assert REQUIRED and sorted(first) == REQUIRED
    for name, value in first.items():
        assert re.fullmatch(r"[A-Za-z0-9]{32}", value), name
        assert value != second[name], f"{name} is the same in two runs"
    assert len(set(first.values())) == len(first), "two secrets share a value"
    assert stat.S_IMODE(os.stat(tmp_path / "a.env").st_mode) == 0o600


def test_never_overwrites_an_existing_file(tmp_path):
    env = tmp_path / ".env"
    env.write_text("POSTGRES_PASSWORD=chosen-by-the-operator\n")
    result = subprocess.run([str(SCRIPT), str(env)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "left as is" in result.stderr
    assert env.read_text() == "POSTGRES_PASSWORD=chosen-by-the-operator\n"


def test_env_example_documents_every_variable_the_compose_file_reads():
    example = (DEPLOY / ".env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z_][A-Z0-9_]*)=", example, re.M))
    used = set(re.findall(r"(?<!\$)\$\{(\w+)", COMPOSE_TEXT))
    assert used <= listed, f"not in deploy/.env.example: {sorted(used - listed)}"
    secrets = set(re.findall(r"^([A-Z_][A-Z0-9_]*)=$", example, re.M))
    assert secrets == set(REQUIRED), "the secrets to generate are exactly the variables the compose file requires"


def test_deploy_env_is_gitignored():
    result = subprocess.run(["git", "check-ignore", "-q", "deploy/.env"], cwd=ROOT)
    assert result.returncode == 0, "deploy/.env is not ignored by git"


@pytest.mark.parametrize("name", REQUIRED)
def test_compose_refuses_to_start_without_each_secret_naming_it(name, tmp_path):
    variables = written(tmp_path / ".env")
    load(variables)  # all set: the file loads
    del variables[name]
    with pytest.raises(ValueError, match=rf"{name} must be set: {name} is unset - run scripts/deploy-secrets.sh"):
        load(variables)
