"""`userstream setup --schema-registry URL` registers the users contract as the JSON Schema of subject
TOPIC-value, and `status --schema-registry URL` shows its version — against a scripted registry peer
written from Confluent's documented REST API (tests/schema_registry_peer.py; no real registry runs here)
and a real Tansu broker for the topics."""
import json
import socket

import pytest

from pipeline_fixtures import names, summary
from processes import ROOT
from schema_registry_peer import ScriptedSchemaRegistry

CONTRACT = json.loads((ROOT / "contract" / "users_created.schema.json").read_text())


@pytest.fixture
def registry():
    peer = ScriptedSchemaRegistry()
    yield peer
    peer.stop()


def setup(userstream, topic, registry_url, check=True):
    return userstream.run("setup", "--topic", topic, "--partitions", "1", "--skip-sink",
                          "--schema-registry", registry_url, check=check)


def registrations(registry):
    return [r for r in registry.requests if r[0] == "POST" and r[1].endswith("/versions")]


def test_setup_registers_the_contract_once(userstream, registry):
    topic, _, _ = names()
    subject = f"{topic}-value"
    first = setup(userstream, topic, registry.url)
    assert f"schema {subject} version 1 registered (id 1)" in first.stdout.decode()
    [(schema_id, schema, schema_type)] = registry.subjects[subject]
    assert schema_type == "JSON" and json.loads(schema) == CONTRACT

    again = setup(userstream, topic, registry.url)
    assert f"schema {subject} version 1 exists (id 1)" in again.stdout.decode()
    assert len(registrations(registry)) == 1, "rerunning setup registered again"
    assert len(registry.subjects[subject]) == 1


def test_setup_refuses_an_incompatible_change_naming_subject_and_version(userstream, registry):
    topic, _, _ = names()
    subject = f"{topic}-value"
    older = dict(CONTRACT, required=CONTRACT["required"][:-1])
    registry.preload(subject, json.dumps(older))
    registry.compatible = False
    result = setup(userstream, topic, registry.url, check=False)
    assert result.returncode != 0
    error = result.stderr.decode()
    assert f"subject {subject} version 1" in error and "incompatible" in error, error
    assert registrations(registry) == [] and len(registry.subjects[subject]) == 1


def test_setup_adds_a_compatible_change_as_the_next_version(userstream, registry):
    topic, _, _ = names()
    subject = f"{topic}-value"
    registry.preload(subject, json.dumps(dict(CONTRACT, title="an earlier contract")))
    result = setup(userstream, topic, registry.url)
    assert f"schema {subject} version 2 registered (id 2)" in result.stdout.decode()


def test_status_shows_the_subject_and_its_version(userstream, registry, tmp_path):
    topic, _, _ = names()
    sink = f"sqlite:{tmp_path / 'users.db'}"
    userstream.run("setup", "--topic", topic, "--partitions", "1", "--sink", sink, "--schema-registry", registry.url)
    result = userstream.run("status", "--topic", topic, "--sink", sink, "--schema-registry", registry.url)
    out = result.stdout.decode()
    assert f"schema registry: subject {topic}-value version 1 (id 1)" in out, out + result.stderr.decode()
    assert summary(result)["schema_version"] == "1"


def test_unreachable_registry_is_a_clear_error(userstream):
    topic, _, _ = names()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = setup(userstream, topic, f"http://127.0.0.1:{port}", check=False)
    assert result.returncode != 0
    assert "is the schema registry running? set --schema-registry URL" in result.stderr.decode()


def test_a_server_that_is_not_a_registry_is_a_clear_error(userstream, api):
    topic, _, _ = names()
    result = setup(userstream, topic, api, check=False)
    assert result.returncode != 0
    assert "a Confluent-compatible schema registry?" in result.stderr.decode(), result.stderr.decode()
