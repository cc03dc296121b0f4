"""The user_automation DAG in a real Airflow 3.3.2: it imports cleanly, a run streams
users into a real broker through the real binary, and a run fails when the broker is down."""
import json
import re
import subprocess

from kafka import KafkaAdminClient, KafkaConsumer
from kafka.admin import NewTopic

from deploy_env import DAGS, Airflow, Broker, userstream_bin
from kafka_fixtures import consume_kafka_python

TOPIC = "users_created"
# The DAG's own log line after a successful run (dags/user_automation.py).
REPORTED = re.compile(r"stream_data_from_api: (\d+) users published")


def records_in(bootstrap: str, topic: str, expected: int) -> int:
    """How many records the topic holds, counted by reading them all: Tansu's ListOffsets can
    trail acknowledged writes for a moment. A surplus over `expected` would be counted too."""
    admin = KafkaConsumer(bootstrap_servers=bootstrap, request_timeout_ms=30000)
    try:
        partitions = admin.partitions_for_topic(topic) or set()
    finally:
        admin.close()
    assert partitions, f"topic {topic} does not exist on {bootstrap}"
    return len(consume_kafka_python(bootstrap, topic, len(partitions), expected))


def create_topic(bootstrap: str, topic: str, partitions: int = 3):
    """The topic as `userstream setup` leaves it in the compose stack: several partitions."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30000)
    try:
        admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])
    finally:
        admin.close()


def json_output(stdout: str):
    """The JSON document an airflow -o json command printed after its log lines."""
    lines = [line for line in stdout.splitlines() if line.startswith(("[", "{"))
             and not line.startswith("[20")]
    assert lines, f"no JSON in the output:\n{stdout[-2000:]}"
    return json.loads(lines[-1])


def dag_run_env(bootstrap: str, api: str) -> dict:
    return {
        "USERSTREAM_BIN": str(userstream_bin()),
        "USERSTREAM_API": api,
        "USERSTREAM_BOOTSTRAP_SERVERS": bootstrap,
        "USERSTREAM_TOPIC": TOPIC,
        # Short runs keep the suite quick; the DAG's default is the seed's 60 s.
        "USERSTREAM_DURATION": "5",
    }


def test_dag_folder_imports_cleanly(airflow):
    listed = airflow.run("dags", "list", "--local", "-o", "json")
    assert listed.returncode == 0, listed.stderr[-3000:]
    dag_ids = [d["dag_id"] for d in json_output(listed.stdout)]
    assert dag_ids == ["user_automation"]

    errors = airflow.run("dags", "list-import-errors", "--local", "-o", "json")
    assert errors.returncode == 0, errors.stdout + errors.stderr[-3000:]
    assert json_output(errors.stdout) == []


def test_import_error_check_reports_a_broken_dag(airflow, tmp_path):
    """The clean check above is only worth something if it sees a broken file."""
    (tmp_path / "user_automation.py").write_text((DAGS / "user_automation.py").read_text())
    (tmp_path / "broken.py").write_text("from airflow.sdk import dag\nimport no_such_module\n")
    broken = Airflow(airflow.env["AIRFLOW_HOME"], dags=tmp_path)
    errors = broken.run("dags", "list-import-errors", "--local", "-o", "json")
    assert errors.returncode != 0
    assert [e["filepath"] for e in json_output(errors.stdout)] == [str(tmp_path / "broken.py")]


def test_dag_run_publishes_the_users_it_reports(airflow, broker, stand_in_api):
    create_topic(broker.bootstrap, TOPIC)
    result = airflow.run("dags", "test", "user_automation",
                         extra_env=dag_run_env(broker.bootstrap, stand_in_api))
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"airflow dags test failed:\n{output[-5000:]}"
    assert "running: " + str(userstream_bin()) + " produce" in output
    assert re.search(r"userstream: .*published", output), "the binary's summary is not in the task log"
    reported = REPORTED.findall(output)
    assert reported, ("the task did not report how many users were published; userstream "
                      f"produce must end with a summary containing published=N:\n{output[-3000:]}")
    published = int(reported[-1])
    assert published > 0
    assert records_in(broker.bootstrap, TOPIC, published) == published


def test_dag_run_fails_when_the_broker_is_down(airflow, stand_in_api):
    # Failing for want of a produce command would prove nothing.
    usage = subprocess.run([str(userstream_bin()), "produce", "--help"], capture_output=True, text=True)
    assert "USAGE: userstream produce" in usage.stdout, f"the binary has no produce command:\n{usage.stdout[:1000]}"
    down = Broker()
    down.stop()  # a loopback port where nothing listens any more
    result = airflow.run("dags", "test", "user_automation",
                         extra_env=dag_run_env(down.bootstrap, stand_in_api))
    output = result.stdout + result.stderr
    assert result.returncode != 0, f"the DAG run succeeded with no broker:\n{output[-3000:]}"
    assert "userstream produce exited" in output
