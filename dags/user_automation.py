"""The seed's ingest DAG: once a day, stream users from the randomuser API into Kafka
for a minute with `userstream produce`.

The work is done by the userstream binary; this task only resolves its settings,
runs it, copies its output into the task log and fails when it exits non-zero.
Every setting comes from an Airflow Variable, else an environment variable, else
a default that fits the docker compose stack in deploy/.
"""
from __future__ import annotations

import logging
import os
import re
import subprocess
from datetime import datetime, timedelta

from airflow.sdk import Variable, dag, task

log = logging.getLogger("userstream.dag")

# Retries are read when the DAG is parsed, so they come from the environment only;
# tests run with USERSTREAM_TASK_RETRIES=0 to see a failure at once.
RETRIES = int(os.environ.get("USERSTREAM_TASK_RETRIES", "2"))
RETRY_DELAY = timedelta(seconds=int(os.environ.get("USERSTREAM_RETRY_DELAY_SECONDS", "300")))

# (Airflow Variable, environment variable, default for the compose stack)
SETTINGS = {
    "bin": ("userstream_bin", "USERSTREAM_BIN", "/usr/local/bin/userstream"),
    "api": ("userstream_api", "USERSTREAM_API", "https://randomuser.me/api/"),
    "bootstrap_servers": ("userstream_bootstrap_servers", "USERSTREAM_BOOTSTRAP_SERVERS", "kafka:29092"),
    "topic": ("userstream_topic", "USERSTREAM_TOPIC", "users_created"),
    "duration": ("userstream_duration", "USERSTREAM_DURATION", "60"),
}

# The binary ends with a one-line summary that says how many users reached Kafka:
# "published=N", "published: N", "published N", else "N users published".
PUBLISHED = (re.compile(r"\bpublished\s*[=:]\s*(\d+)"), re.compile(r"\bpublished\s+(\d+)\b"),
             re.compile(r"\b(\d+)\s+(?:users\s+)?published\b"))


def published_count(line: str) -> int | None:
    """How many users the summary line says were published, if it says."""
    for pattern in PUBLISHED:
        if match := pattern.search(line):
            return int(match.group(1))
    return None


def setting(name: str) -> str:
    """An Airflow Variable wins over the environment, which wins over the default."""
    variable, env, default = SETTINGS[name]
    return Variable.get(variable, default=None) or os.environ.get(env) or default


def produce_command() -> list[str]:
    """The `userstream produce` command line for the current settings."""
    return [
        setting("bin"), "produce",
        "--api", setting("api"),
        "--bootstrap-servers", setting("bootstrap_servers"),
        "--topic", setting("topic"),
        "--duration", setting("duration"),
    ]


def run_logged(command: list[str]) -> tuple[int, list[str]]:
    """Runs `command`, copying each output line into the task log as it comes."""
    log.info("running: %s", " ".join(command))
    lines: list[str] = []
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, errors="replace")
    except FileNotFoundError:
        raise RuntimeError(f"{command[0]} not found — install userstream there or set the "
                           "Airflow Variable userstream_bin (or USERSTREAM_BIN)") from None
    assert process.stdout is not None
    try:
        for line in process.stdout:
            line = line.rstrip("\n")
            lines.append(line)
            log.info("userstream: %s", line)
    except BaseException:
        # The task is being stopped (timeout, marked failed): do not leave the binary behind.
        process.terminate()
        process.wait()
        raise
    return process.wait(), lines


@dag(
    dag_id="user_automation",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args={"owner": "userstream", "retries": RETRIES, "retry_delay": RETRY_DELAY},
    tags=["userstream"],
)
def user_automation():
    @task
    def stream_data_from_api() -> int | None:
        """Streams users from the API into Kafka; returns how many were published."""
        status, lines = run_logged(produce_command())
        if status != 0:
            raise RuntimeError(f"userstream produce exited {status}: "
                               f"{lines[-1] if lines else 'no output'}")
        for line in reversed(lines):
            if (published := published_count(line)) is not None:
                log.info("stream_data_from_api: %d users published", published)
                return published
        return None

    stream_data_from_api()


user_automation()
