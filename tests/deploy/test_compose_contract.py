"""deploy/docker-compose.yml registers the users contract and checks the stream replicas' health:
a pinned, healthchecked schema registry on Kafka; `userstream-setup` waits for it and registers the
contract there; `userstream-stream` serves /healthz and its healthcheck asks for it."""
import yaml

from deploy_env import DEPLOY

services = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())["services"]


def registry_port() -> str:
    return services["schema-registry"]["environment"]["SCHEMA_REGISTRY_LISTENERS"].rsplit(":", 1)[1]


def test_schema_registry_is_a_pinned_confluent_registry_on_kafka():
    registry = services["schema-registry"]
    image, tag = registry["image"].rsplit(":", 1)
    assert image == "confluentinc/cp-schema-registry" and tag[0].isdigit()
    assert registry["environment"]["SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS"] == "PLAINTEXT://kafka:29092"
    assert registry["depends_on"]["kafka"]["condition"] == "service_healthy"
    check = " ".join(registry["healthcheck"]["test"])
    assert f"http://localhost:{registry_port()}/subjects" in check and "--fail" in check


def test_setup_registers_the_contract_once_the_registry_is_healthy():
    setup = services["userstream-setup"]
    command = setup["command"]
    assert command[command.index("--schema-registry") + 1] == f"http://schema-registry:{registry_port()}"
    assert setup["depends_on"]["schema-registry"]["condition"] == "service_healthy"


def test_stream_replicas_are_healthchecked_on_their_healthz():
    stream = services["userstream-stream"]
    command = stream["command"]
    port = command[command.index("--http") + 1].rsplit(":", 1)[1]
    check = stream["healthcheck"]["test"]
    assert check[0] == "CMD" and "--fail" in check and f"http://localhost:{port}/healthz" in check
    assert "ports" not in stream, "replicas cannot share a published port"
