"""deploy/docker-compose.yml as the rehearsal reads it: YAML anchors and merge keys resolved,
`${VAR:-default}` interpolated the way `docker compose` does it, environments as dicts,
one entry per replica, each service's secrets with their values."""
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = ROOT / "deploy" / "docker-compose.yml"

# $$ is a literal $, ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, $NAME.
VARIABLE = re.compile(r"\$(?:(\$)|\{(\w+)(?:(:?[-?])([^}]*))?\}|(\w+))")


def interpolate(text: str, variables: dict) -> str:
    def one(match):
        if match.group(1):
            return "$"
        name = match.group(2) or match.group(5)
        operator, argument = match.group(3), match.group(4)
        value = variables.get(name)
        if operator in (":-", ":?") and not value or operator in ("-", "?") and value is None:
            if operator.endswith("?"):
                raise ValueError(f"compose: {name} must be set: {argument}")
            return argument
        return value or ""
    return VARIABLE.sub(one, text)


def _interpolated(value, variables):
    if isinstance(value, str):
        return interpolate(value, variables)
    if isinstance(value, list):
        return [_interpolated(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: _interpolated(v, variables) for k, v in value.items()}
    return value


def _environment(value) -> dict:
    if value is None:
        return {}
    if isinstance(value, list):
        pairs = (item.split("=", 1) for item in value)
        return {k: v for k, v in pairs}
    return {k: "" if v is None else str(v) for k, v in value.items()}


@dataclass
class Service:
    name: str
    spec: dict
    image: str = ""
    command: object = None          # list, str (shell form) or None (the image's)
    entrypoint: object = None
    environment: dict = field(default_factory=dict)
    user: str | None = None
    hostname: str | None = None
    volumes: list = field(default_factory=list)   # (volume name, mount path)
    binds: list = field(default_factory=list)     # (host path, mount path): bind mounts, read-only here
    secrets: dict = field(default_factory=dict)   # secret name → its value (at /run/secrets/NAME)
    depends_on: dict = field(default_factory=dict)  # service → condition
    healthcheck: list | None = None  # the test, as ["CMD", ...] or ["CMD-SHELL", "..."]
    replicas: int = 1


def load(variables: dict, path: Path = COMPOSE) -> dict[str, Service]:
    """The compose file's services, with `variables` as the environment `docker compose` reads."""
    document = _interpolated(yaml.safe_load(path.read_text()), variables)
    # Secrets defined by an environment variable (from deploy/.env) or a file.
    secret_values = {}
    for name, how in (document.get("secrets") or {}).items():
        if "environment" in how:
            secret_values[name] = variables.get(how["environment"], "")
        else:
            secret_values[name] = (path.parent / how["file"]).read_text()
    services = {}
    for name, spec in document["services"].items():
        depends = spec.get("depends_on") or {}
        if isinstance(depends, list):
            depends = {d: {"condition": "service_started"} for d in depends}
        volumes, binds = [], []
        for mount in spec.get("volumes", []):
            source, target = (mount.split(":")[:2] if isinstance(mount, str)
                              else (mount["source"], mount["target"]))
            if source.startswith((".", "/")):
                binds.append(((path.parent / source).resolve(), target))
            else:
                volumes.append((source, target))
        secrets = {}
        for secret in spec.get("secrets", []):
            source = secret if isinstance(secret, str) else secret["source"]
            secrets[source] = secret_values[source]
        check = spec.get("healthcheck") or {}
        services[name] = Service(
            name=name, spec=spec, image=spec.get("image", ""), command=spec.get("command"),
            entrypoint=spec.get("entrypoint"), environment=_environment(spec.get("environment")),
            user=str(spec["user"]) if "user" in spec else None, hostname=spec.get("hostname"),
            volumes=volumes, binds=binds, secrets=secrets, depends_on={d: how.get("condition", "service_started") for d, how in depends.items()},
            healthcheck=None if check.get("disable") or not check.get("test") else check["test"],
            replicas=int((spec.get("deploy") or {}).get("replicas", 1)))
    return services
