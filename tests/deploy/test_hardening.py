"""deploy/docker-compose.yml is closed by default: published ports on loopback unless
USERSTREAM_PUBLISH_ADDRESS opens them (Spark Connect and the Spark master's RPC port never), no
literal secret and no secret default in deploy/ or dags/, secrets reaching userstream as files, and
containers with least privilege. Each check has a twin that feeds it a bad snippet and sees it fail."""
import re
from pathlib import Path

import pytest
import yaml

from deploy_env import DAGS, DEPLOY

COMPOSE = DEPLOY / "docker-compose.yml"
OPT_IN = "${USERSTREAM_PUBLISH_ADDRESS:-127.0.0.1}"
# Ports that run code sent to them: never published beyond loopback, whatever the opt-in says.
LOOPBACK_ONLY = {15002: "Spark Connect", 7077: "the Spark master's RPC port"}
SECRET_NAME = r"[A-Z0-9_]*(?:PASSWORD|SECRET|TOKEN|_KEY)[A-Z0-9_]*"
REQUIRED = r"\$\{\w+:\?[^}]*\}"  # ${VAR:?message}: compose refuses to start without VAR


# ---------------------------------------------------------------- the checks

def port_problems(services: dict) -> list[str]:
    """Published ports that are not on loopback (or on the opt-in variable where allowed)."""
    problems = []
    for name, service in services.items():
        for mapping in service.get("ports", []):
            if isinstance(mapping, dict):
                address, target = mapping.get("host_ip"), int(mapping["target"])
            else:
                text = str(mapping).split("/")[0]
                address = None
                if text.startswith("${"):  # an address from a variable: ${NAME:-default}:HOST:CONTAINER
                    address, text = text[:text.index("}") + 1], text[text.index("}") + 2:]
                parts = text.split(":")
                if len(parts) == 3:
                    address, parts = parts[0], parts[1:]
                if not all(p.isdigit() for p in parts):
                    problems.append(f"{name}: cannot read port {mapping!r}")
                    continue
                target = int(parts[-1])
            if target in LOOPBACK_ONLY:
                if address != "127.0.0.1":
                    problems.append(f"{name}: {mapping!r} publishes {LOOPBACK_ONLY[target]} beyond 127.0.0.1")
            elif address not in ("127.0.0.1", OPT_IN):
                problems.append(f"{name}: {mapping!r} is not bound to 127.0.0.1 or {OPT_IN}")
    return problems


SECRET_PATTERNS = [
    (re.compile(rf"\$?\$\{{({SECRET_NAME}):?-"), "a default for secret {0}"),
    (re.compile(rf"^\s*-?\s*(?:ENV\s+|ARG\s+)?({SECRET_NAME})(?<!_FILE)\s*[:=]\s*(?!\s*(?:{REQUIRED}|\"{REQUIRED}\")\s*$)(\S.*)$", re.M),
     "{0} set to a literal ({1})"),
    (re.compile(rf"\w+://[^:/@\s'\"]+:(?!{REQUIRED}@)([^@\s'\"]+)@"), "a password in a URL ({0})"),
    (re.compile(r"(?i)[\w.-]*(?:password|passwd|secret)[\w.-]*=(?![$\"'])([^\s'\",]+)"), "a password on a command line ({0})"),
    (re.compile(r"(?<![\w-])-p\s+(?![$\"'])(\w+)"), "a password flag with a literal ({0})"),
    (re.compile(rf"\(\s*[\"']({SECRET_NAME}|(?i:\w*(?:password|secret|token)\w*))[\"']\s*,\s*(?:\w+\s*=\s*)?[\"']([^\"']+)[\"']"),
     "a default for {0} ({1})"),
]


def secret_problems(text: str, where: str) -> list[str]:
    problems = []
    for pattern, what in SECRET_PATTERNS:
        for match in pattern.finditer(text):
            problems.append(f"{where}: {what.format(*match.groups())}")
    return problems


def hardening_problems(services: dict) -> list[str]:
    """userstream's services without the least-privilege settings."""
    problems = []
    for name, service in services.items():
        if not service.get("image", "").startswith("userstream/userstream:"):
            continue
        if service.get("cap_drop") != ["ALL"]:
            problems.append(f"{name}: cap_drop is {service.get('cap_drop')}, not [ALL]")
        if service.get("cap_add"):
            problems.append(f"{name}: adds capabilities {service['cap_add']}")
        if "no-new-privileges:true" not in service.get("security_opt", []):
            problems.append(f"{name}: no no-new-privileges:true in security_opt")
        if service.get("read_only") is not True:
            problems.append(f"{name}: its root filesystem is writable (read_only is not true)")
        if service.get("privileged"):
            problems.append(f"{name}: privileged")
    return problems


def secret_file_problems(services: dict) -> list[str]:
    """userstream's Cassandra passwords: a *_PASSWORD_FILE under /run/secrets for a secret the
    service mounts, never a password variable or a flag on its command line."""
    problems = []
    for name, service in services.items():
        if not service.get("image", "").startswith("userstream/userstream:"):
            continue
        environment = service.get("environment", {})
        command = " ".join(map(str, service.get("command") or []))
        if re.search(r"password|cassandra://[^@/\s]+@", command, re.I):
            problems.append(f"{name}: a credential on its command line: {command}")
        for key, value in environment.items():
            if key.endswith("_PASSWORD"):
                problems.append(f"{name}: {key} puts a password in the environment; use {key}_FILE")
            if key.endswith("_PASSWORD_FILE"):
                secret = str(value).removeprefix("/run/secrets/")
                if secret == str(value) or secret not in service.get("secrets", []):
                    problems.append(f"{name}: {key}={value} is not a secret the service mounts")
    return problems


def services_of(text: str) -> dict:
    return yaml.safe_load(text)["services"]


# ---------------------------------------------------------------- the checks on the repository

def deploy_files() -> list[Path]:
    """Every file of deploy/ and dags/ but the prose (README.md) and the variables' list."""
    files = [p for folder in (DEPLOY, DAGS) for p in sorted(folder.rglob("*"))
             if p.is_file() and "__pycache__" not in p.parts and p.name not in ("README.md", ".env", ".env.example")]
    assert COMPOSE in files and DEPLOY / "Dockerfile" in files and DAGS / "user_automation.py" in files
    return files


def test_every_published_port_is_on_loopback_unless_opted_in():
    services = services_of(COMPOSE.read_text())
    assert any(s.get("ports") for s in services.values())
    assert port_problems(services) == []


def test_spark_connect_and_the_master_rpc_port_are_published_on_loopback_only():
    ports = {str(m) for s in services_of(COMPOSE.read_text()).values() for m in s.get("ports", [])}
    assert {"127.0.0.1:15002:15002", "127.0.0.1:7077:7077"} <= ports


@pytest.mark.parametrize("path", deploy_files(), ids=lambda p: str(p.relative_to(DEPLOY.parent)))
def test_no_literal_secret_or_secret_default(path):
    assert secret_problems(path.read_text(), str(path.relative_to(DEPLOY.parent))) == []


def test_env_example_holds_no_secret_value():
    """Every secret in deploy/.env.example is listed with an empty value."""
    example = (DEPLOY / ".env.example").read_text()
    secrets = re.findall(rf"^({SECRET_NAME})=(.*)$", example, re.M)
    assert secrets and all(value == "" for _, value in secrets), secrets


def test_userstream_services_have_least_privilege():
    services = services_of(COMPOSE.read_text())
    assert {"userstream-setup", "userstream-stream", "userstream-status"} <= set(services)
    assert hardening_problems(services) == []


def test_userstream_services_read_passwords_from_secret_files():
    services = services_of(COMPOSE.read_text())
    assert secret_file_problems(services) == []
    setup = services["userstream-setup"]["environment"]
    assert setup["USERSTREAM_CASSANDRA_USERNAME"] == "userstream_admin"
    for name in ("userstream-stream", "userstream-status"):
        assert services[name]["environment"]["USERSTREAM_CASSANDRA_USERNAME"] == "userstream_stream", name


def test_spark_connect_reads_the_cassandra_password_from_a_secret_not_its_command_line():
    connect = services_of(COMPOSE.read_text())["spark-connect"]
    assert not any("password" in str(arg) for arg in connect["command"])
    assert "cassandra_stream_password" in connect["secrets"]
    assert "/run/secrets/cassandra_stream_password" in connect["entrypoint"][2]


def test_every_other_service_drops_capabilities_or_says_why_not():
    """Every service: cap_drop ALL and no-new-privileges; a writable root filesystem only with
    the reason written next to it (in the service or in the anchor it merges)."""
    text = COMPOSE.read_text()
    services = services_of(text)
    for name, service in services.items():
        assert service.get("cap_drop") == ["ALL"], name
        assert "no-new-privileges:true" in service.get("security_opt", []), name
        if service.get("read_only") is not True:
            block = re.search(rf"^  {re.escape(name)}:\n((?:    .*\n|\n)*)", text, re.M).group(1)
            for anchor in re.findall(r"<<: \*([\w-]+)", block):
                block += re.search(rf"&{anchor}\b.*\n((?:\s+.*\n)*?)(?=\S)", text).group(1)
            prose = re.sub(r"\s*\n\s*#?\s*", " ", block)  # comments joined across their lines
            assert "root filesystem stays writable" in prose, f"{name}: writable root filesystem without a reason"


# ---------------------------------------------------------------- twins: each check fails on a bad snippet

BAD_PORTS = {
    "every interface": 'services:\n  kafka:\n    ports: ["9092:9092"]\n',
    "an explicit 0.0.0.0": 'services:\n  kafka:\n    ports: ["0.0.0.0:9092:9092"]\n',
    "a variable other than the opt-in": 'services:\n  kafka:\n    ports: ["${ADDRESS:-127.0.0.1}:9092:9092"]\n',
    "Spark Connect through the opt-in": 'services:\n  c:\n    ports: ["${USERSTREAM_PUBLISH_ADDRESS:-127.0.0.1}:15002:15002"]\n',
    "the master's RPC port on every interface": 'services:\n  m:\n    ports: ["7077:7077"]\n',
    "long syntax without host_ip": 'services:\n  a:\n    ports: [{target: 8080, published: "8080"}]\n',
}


@pytest.mark.parametrize("snippet", BAD_PORTS.values(), ids=BAD_PORTS.keys())
def test_port_check_fails_on_an_open_port(snippet):
    assert port_problems(services_of(snippet))


def test_port_check_passes_loopback_and_the_opt_in():
    good = 'services:\n  a:\n    ports: ["127.0.0.1:9092:9092", "${USERSTREAM_PUBLISH_ADDRESS:-127.0.0.1}:8080:8080"]\n'
    assert port_problems(services_of(good)) == []


BAD_SECRETS = {
    "a secret default": "    AIRFLOW__API_AUTH__JWT_SECRET: ${AIRFLOW_JWT_SECRET:-change-me-userstream-jwt-secret}\n",
    "a literal password": "      POSTGRES_PASSWORD: airflow\n",
    "a password in a URL": '  USERSTREAM_SINK: cassandra://cassandra:cassandra@cassandra:9042/spark_streams\n',
    "a password in a flag": '      - spark.cassandra.auth.password=cassandra\n',
    "cqlsh -p": "      test: [\"CMD-SHELL\", \"cqlsh -u cassandra -p cassandra -e 'describe keyspaces'\"]\n",
    "a shell default": '          printf \'{"admin": "%s"}\' "$${AIRFLOW_ADMIN_PASSWORD:-admin}" > "$$passwords"\n',
    "a Dockerfile ENV": "ENV AIRFLOW__CORE__FERNET_KEY=abc123\n",
    "a password default in the DAG": '    password = os.environ.get("USERSTREAM_CASSANDRA_PASSWORD", "cassandra")\n',
    "a Variable default in the DAG": '    token = Variable.get("userstream_api_token", default="abc")\n',
}


@pytest.mark.parametrize("snippet", BAD_SECRETS.values(), ids=BAD_SECRETS.keys())
def test_secret_check_fails_on_a_literal_or_default(snippet):
    assert secret_problems(snippet, "snippet")


def test_secret_check_passes_a_required_variable():
    good = ("      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?run scripts/deploy-secrets.sh}\n"
            "    AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: postgresql+psycopg2://airflow:${POSTGRES_PASSWORD:?unset}@postgres:5432/airflow\n"
            "      USERSTREAM_CASSANDRA_PASSWORD_FILE: /run/secrets/cassandra_stream_password\n")
    assert secret_problems(good, "snippet") == []


BAD_HARDENING = {
    "no cap_drop": "cap_drop",
    "no no-new-privileges": "security_opt",
    "a writable root filesystem": "read_only",
}
HARDENED = {"image": "userstream/userstream:dev", "cap_drop": ["ALL"],
            "security_opt": ["no-new-privileges:true"], "read_only": True}


@pytest.mark.parametrize("missing", BAD_HARDENING.values(), ids=BAD_HARDENING.keys())
def test_hardening_check_fails_on_a_service_without_it(missing):
    service = {k: v for k, v in HARDENED.items() if k != missing}
    assert hardening_problems({"userstream-stream": service})
    assert hardening_problems({"userstream-stream": HARDENED}) == []


def test_hardening_check_fails_on_added_capabilities():
    assert hardening_problems({"userstream-stream": dict(HARDENED, cap_add=["NET_ADMIN"])})


def test_secret_file_check_fails_on_a_password_variable_or_flag():
    base = {"image": "userstream/userstream:dev", "secrets": ["s"]}
    assert secret_file_problems({"a": dict(base, environment={"USERSTREAM_CASSANDRA_PASSWORD": "x"})})
    assert secret_file_problems({"a": dict(base, command=["stream", "--sink", "cassandra://u:p@c:9042/k"])})
    assert secret_file_problems({"a": dict(base, environment={"USERSTREAM_CASSANDRA_PASSWORD_FILE": "/run/secrets/t"})})
    assert secret_file_problems({"a": dict(base, environment={"USERSTREAM_CASSANDRA_PASSWORD_FILE": "/run/secrets/s"})}) == []
