"""A consumer group under churn: `stream` replicas started and killed (SIGTERM and SIGKILL by
turns) while `produce` runs, each one killed just after a newer replica's join reached the
coordinator, so kills land inside rebalances. Afterwards one new replica must form the group
alone and store every user, and the history checker must find nothing lost, duplicated or
committed ahead."""
import json
import signal

from fault_fixtures import Userstream, set_up_run, wait_until
from history import check, sqlite_count

ROUNDS = 10
COUNT = 4000


def member_ids(us: Userstream, group: str, topic: str) -> set[str]:
    """The group's members as its coordinator describes them (empty before the group exists)."""
    described = us.run("kafka", "groups", group, "--topic", topic, "--json", check=False)
    if described.returncode != 0:
        return set()
    text = described.output()
    report = json.loads(text[text.index("{"):text.rindex("}") + 1])
    return {member["memberID"] for member in report["group"]["members"]}


def test_replicas_started_and_killed_under_produce_leave_a_group_a_new_replica_forms(broker, slow_api, tmp_path):
    us = Userstream(broker.bootstrap)
    topic, dlq, group, db, sink = set_up_run(us, tmp_path)
    produce = us.start("produce", "--api", slow_api.url, "--topic", topic, "--count", str(COUNT), "--batch", "50",
                       "--concurrency", "1")
    replicas, seen = [], set()
    for round in range(ROUNDS):
        replica = us.start("stream", "--topic", topic, "--group", group, "--sink", sink, name=f"stream replica {round}")
        replicas.append(replica)
        # The newcomer's first JoinGroup makes it a member and starts a rebalance.
        wait_until(lambda: member_ids(us, group, topic) - seen, f"replica {round} to join", alive=replicas, interval=0.1)
        seen |= member_ids(us, group, topic)
        if len(replicas) > 1:
            oldest = replicas.pop(0)
            oldest.kill(signal.SIGTERM if round % 2 else signal.SIGKILL)
    for replica in replicas:
        replica.kill(signal.SIGTERM)
        assert replica.returncode == 0, f"{replica.name} exited {replica.returncode} on SIGTERM: {replica.tail()}"

    assert produce.wait() == 0, f"produce exited {produce.returncode}: {produce.tail()}"
    produced = produce.summary()
    assert produced["published"] == str(COUNT) and produced["failed"] == "0", produced

    last = us.start("stream", "--topic", topic, "--group", group, "--sink", sink, name="the new replica")
    wait_until(lambda: sqlite_count(db) >= COUNT, f"{COUNT} users stored by the new replica", alive=[last], timeout=90)
    last.kill(signal.SIGTERM)
    assert last.returncode == 0, f"the new replica exited {last.returncode} on SIGTERM: {last.tail()}"

    verdict = check(broker.bootstrap, topic, dlq, group, db, served=slow_api.served, summaries=[produced])
    assert verdict.figures() == (0, 0, 0), verdict
