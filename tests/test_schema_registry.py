"""The users contract enforced by the broker: a Tansu broker started with its file schema registry
holding contract/users_created.schema.json for topic users_created (scripts/tansu.sh, as
`userstream up` does) refuses records that break the contract with INVALID_RECORD (87), and
accepts every record `userstream produce` publishes. Without the registry, the stream processor's
dead-letter topic is what catches the same records."""
import json
import subprocess
import uuid

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import InvalidRecordError

from kafka_fixtures import consume_kafka_python
from pipeline_fixtures import summary
from processes import ROOT, Broker, StandInAPI, Userstream, tansu_bin, userstream_bin
from recorded_api import RecordedAPI

TOPIC = "users_created"


def user() -> dict:
    return {"id": str(uuid.uuid4()), "first_name": "Zoé", "last_name": "Martin", "gender": "female",
            "address": "12 Rue Chavanne, Lyon, Auvergne-Rhône-Alpes, France", "post_code": "69001",
            "email": "zoe.martin@example.com", "username": "bluecat42", "dob": "1993-07-20T09:44:18.674Z",
            "registered_date": "2010-03-01T12:00:00.000Z", "phone": "04-12-34-56-78",
            "picture": "https://randomuser.me/api/portraits/women/12.jpg"}


def encoded(value: dict) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def without_email():
    value = user()
    del value["email"]
    return encoded(value)


BREAKING = {
    "missing email": without_email,
    "numeric post_code": lambda: encoded(dict(user(), post_code=69001)),
    "not JSON": lambda: b"this is not JSON {",
}


@pytest.fixture
def enforcing():
    broker = Broker(schema_registry=True)
    Userstream(broker.bootstrap).run("setup", "--topic", TOPIC, "--partitions", "1", "--skip-sink")
    yield broker
    broker.stop()


@pytest.fixture(scope="module")
def permissive():
    broker = Broker(schema_registry=False)
    yield broker
    broker.stop()


def send(bootstrap, value) -> int:
    """Offset of `value` in users_created; raises the broker's error (no client retries)."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", retries=0)
    try:
        return producer.send(TOPIC, key=str(uuid.uuid4()).encode(), value=value).get(timeout=30).offset
    finally:
        producer.close()


@pytest.mark.parametrize("name", sorted(BREAKING))
def test_broker_refuses_a_record_that_breaks_the_contract(enforcing, name):
    with pytest.raises(InvalidRecordError) as refused:
        send(enforcing.bootstrap, BREAKING[name]())
    assert refused.value.errno == 87


def test_broker_accepts_a_record_that_keeps_the_contract(enforcing):
    assert send(enforcing.bootstrap, encoded(user())) >= 0


def test_every_recorded_real_user_produce_publishes_is_accepted(enforcing):
    api = RecordedAPI()
    try:
        produced = summary(Userstream(enforcing.bootstrap).run(
            "produce", "--api", api.url, "--topic", TOPIC, "--count", str(len(api.users)), "--batch", "50",
            "--concurrency", "1"))
    finally:
        api.stop()
    assert produced["published"] == str(len(api.users)) == "200" and produced["failed"] == "0"
    records = consume_kafka_python(enforcing.bootstrap, TOPIC, 1, len(api.users))
    assert sorted(key for _, key, _, _ in records) == sorted(u["login"]["uuid"].lower() for u in api.users)


def test_every_stand_in_user_produce_publishes_is_accepted(enforcing):
    api = StandInAPI()
    try:
        produced = summary(Userstream(enforcing.bootstrap).run(
            "produce", "--api", api.url, "--topic", TOPIC, "--count", "5000", "--batch", "500"))
    finally:
        api.stop()
    assert produced["published"] == "5000" and produced["failed"] == "0"


def test_without_the_registry_the_stream_dead_letters_what_the_broker_would_refuse(permissive, tmp_path):
    userstream = Userstream(permissive.bootstrap)
    db = tmp_path / "users.db"
    userstream.run("setup", "--topic", TOPIC, "--partitions", "1", "--sink", f"sqlite:{db}")
    offsets = {send(permissive.bootstrap, make()): name for name, make in BREAKING.items()}
    good = user()
    send(permissive.bootstrap, encoded(good))
    streamed = summary(userstream.run("stream", "--topic", TOPIC, "--group", "dlq-check", "--until-idle", "10",
                                      "--sink", f"sqlite:{db}"))
    assert streamed["dead_lettered"] == str(len(BREAKING)) and streamed["stored"] == "1"
    consumer = KafkaConsumer(bootstrap_servers=permissive.bootstrap, enable_auto_commit=False,
                             consumer_timeout_ms=10000, auto_offset_reset="earliest")
    consumer.assign([TopicPartition(TOPIC + ".dlq", 0)])
    reasons = {int(dict(m.headers)["dlq.source.offset"]): dict(m.headers)["dlq.reason"].decode() for m in consumer}
    consumer.close()
    assert {offsets[o]: r for o, r in reasons.items()} == {
        "missing email": "missing_field", "numeric post_code": "wrong_type", "not JSON": "not_json"}


def test_up_starts_its_broker_with_the_contract_in_the_schema_registry(tmp_path):
    result = subprocess.run([str(userstream_bin()), "up", "--count", "500", "--tansu", str(tansu_bin())],
                            cwd=tmp_path, capture_output=True, timeout=600)
    assert result.returncode == 0, result.stderr.decode()[-3000:]
    assert summary(result)["published"] == summary(result)["stored"] == "500"
    assert "enforcing the users contract on users_created" in result.stderr.decode()
    registry = tmp_path / "logs" / "schema-registry"
    record_schema = json.loads((registry / "users_created.json").read_text())
    assert record_schema["properties"]["value"] == json.loads((ROOT / "contract" / "users_created.schema.json").read_text())
    assert f"schema registry: file://{registry}" in (tmp_path / "logs" / "tansu.log").read_text()
