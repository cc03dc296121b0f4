"""Consumer groups across clients on a real broker (Tansu): a Swift member (the
`userstream kafka consume --group` process) and kafka-python share partitions and offsets."""
import json
import signal

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.coordinator.assignors.range import RangePartitionAssignor
from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
from kafka.structs import OffsetAndMetadata

from kafka_fixtures import SwiftGroupMember
from processes import wait_until

PARTITIONS = 6


def create_topic(userstream, topic, partitions=PARTITIONS):
    userstream.run("kafka", "topics", "create", topic, "--partitions", str(partitions))


def produce(bootstrap, topic, keys):
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for key in keys:
        producer.send(topic, key=key.encode(), value=f'{{"id":"{key}"}}'.encode())
    producer.flush()
    producer.close()


ASSIGNORS = {"range": RangePartitionAssignor, "roundrobin": RoundRobinPartitionAssignor}
# What each assignor gives two members of a 6-partition topic (the Java client's results).
SPLITS = {"range": [[0, 1, 2], [3, 4, 5]], "roundrobin": [[0, 2, 4], [1, 3, 5]]}


def python_member(bootstrap, topic, group, assignor="range"):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
                             auto_offset_reset="earliest", session_timeout_ms=3000, heartbeat_interval_ms=300,
                             partition_assignment_strategy=[ASSIGNORS[assignor]])
    consumer.subscribe([topic])
    return consumer


def poll_until(consumer, condition, what, into, timeout=60):
    """Polls `consumer` (which keeps it in the group), collecting records, until condition()."""
    def polled():
        if condition():
            return True
        for tp, msgs in consumer.poll(timeout_ms=100).items():  # the poll is the pause
            into.extend((tp.partition, m.offset, m.key.decode()) for m in msgs)
    wait_until(polled, what, timeout, interval=0)


@pytest.mark.parametrize("first,assignor", [("swift", "range"), ("python", "range"), ("swift", "roundrobin")])
def test_mixed_group_splits_partitions_and_records(userstream, broker, first, assignor):
    """The first member to join leads the group and computes the assignment, so both
    orders run: the leader's assignment must be the Java client's, and the other member
    must read it the same way."""
    topic, group = f"groups-mixed-{first}-{assignor}", f"mixed-{first}-{assignor}"
    create_topic(userstream, topic)
    everything = set(range(PARTITIONS))
    python_records = []
    if first == "swift":
        swift = SwiftGroupMember(userstream, topic, group, "--assignor", assignor)
        swift.wait_for(lambda m: m.owned == everything, "the Swift member to own every partition")
        python = python_member(broker.bootstrap, topic, group, assignor)
    else:
        python = python_member(broker.bootstrap, topic, group, assignor)
        poll_until(python, lambda: {tp.partition for tp in python.assignment()} == everything,
                   "the Python member to own every partition", python_records)
        swift = SwiftGroupMember(userstream, topic, group, "--assignor", assignor)

    def split():
        mine = {tp.partition for tp in python.assignment()}
        return swift.owned and mine and not (swift.owned & mine) and (swift.owned | mine) == everything

    poll_until(python, split, "the two members to split the partitions", python_records)
    mine = {tp.partition for tp in python.assignment()}
    assert sorted([sorted(swift.owned), sorted(mine)]) == SPLITS[assignor]

    keys = [f"mixed-{i}" for i in range(600)]
    produce(broker.bootstrap, topic, keys)
    poll_until(python, lambda: len(python_records) + len(swift.records) >= len(keys),
               "every record to reach one of the members", python_records)

    swift_records = [(r["partition"], r["offset"], r["key"]) for r in swift.records]
    assert {p for p, _, _ in swift_records} <= swift.owned
    assert {p for p, _, _ in python_records} <= mine
    got = [k for _, _, k in swift_records + python_records]
    assert sorted(got) == sorted(keys), "records lost or duplicated between the members"
    assert swift_records and python_records

    python.commit()
    python.close()
    assert swift.stop() == 0


def test_kill_nine_moves_partitions_and_resumes_from_commits(userstream, broker):
    topic, group = "groups-kill", "kill-nine"
    create_topic(userstream, topic, 4)
    survivor = SwiftGroupMember(userstream, topic, group)
    victim = SwiftGroupMember(userstream, topic, group)
    everything = set(range(4))
    survivor.wait_for(lambda s: s.owned and victim.owned and not (s.owned & victim.owned)
                      and (s.owned | victim.owned) == everything, "both members to own partitions")
    victims = set(victim.owned)

    first = [f"kill-{i}" for i in range(200)]
    produce(broker.bootstrap, topic, first)

    def all_committed(member):
        last = {}
        for r in member.records:
            last[r["partition"]] = max(last.get(r["partition"], -1), r["offset"])
        return all(member.committed.get(p) == o + 1 for p, o in last.items())

    survivor.wait_for(lambda s: len(s.records) + len(victim.records) == len(first), "the first records")
    victim.wait_for(all_committed, "the victim's commits")
    victim_commits = dict(victim.committed)
    victim.stop(signal.SIGKILL)

    second = [f"kill-{i}" for i in range(200, 400)]
    produce(broker.bootstrap, topic, second)
    # After the session timeout the coordinator drops the victim and the survivor gets everything.
    survivor.wait_for(lambda s: s.owned == everything, "the survivor to own every partition")
    survivor.wait_for(lambda s: len(s.records) + len(victim.records) >= 400, "every record")

    for p in victims:
        offsets = [r["offset"] for r in survivor.records if r["partition"] == p]
        assert offsets, f"the survivor read nothing of partition {p}"
        assert min(offsets) == victim_commits.get(p, 0), f"partition {p} did not resume at the victim's commit"
    keys = [r["key"] for r in survivor.records + victim.records]
    assert sorted(keys) == sorted(first + second)
    assert survivor.stop() == 0


def test_offsets_committed_by_one_client_are_read_by_the_other(userstream, broker):
    topic = "groups-offsets"
    create_topic(userstream, topic, 3)
    produce(broker.bootstrap, topic, [f"off-{i}" for i in range(90)])

    # Swift commits after printing 50 records; kafka-python reads the same offsets back.
    out = userstream.run("kafka", "consume", topic, "--group", "swift-commits", "--from-beginning",
                         "--count", "50", "--session-timeout", "3").stdout.decode()
    printed = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert len(printed) == 50
    expected = {}
    for r in printed:
        expected[r["partition"]] = max(expected.get(r["partition"], 0), r["offset"] + 1)
    reader = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id="swift-commits", enable_auto_commit=False)
    committed = {p: reader.committed(TopicPartition(topic, p)) for p in range(3)}
    reader.close()
    assert {p: o for p, o in committed.items() if o is not None} == expected

    # kafka-python commits; a Swift member of that group starts exactly there.
    chosen = {0: 5, 1: 0, 2: 17}
    writer = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id="python-commits", enable_auto_commit=False)
    writer.commit({TopicPartition(topic, p): OffsetAndMetadata(o, "", -1) for p, o in chosen.items()})
    writer.close()
    # The lag table shows those commits (no member has moved them yet).
    table = userstream.run("kafka", "groups", "--group", "python-commits", "--topic", topic).stdout.decode()
    rows = [line.split() for line in table.splitlines() if line.startswith(topic)]
    assert [(int(r[1]), r[3]) for r in rows] == [(p, str(chosen[p])) for p in range(3)]
    swift = SwiftGroupMember(userstream, topic, "python-commits")
    swift.wait_for(lambda s: s.owned == {0, 1, 2}, "the Swift member to own the partitions")
    listing = userstream.run("kafka", "groups").stdout.decode()
    assert any(line.split()[:1] == ["python-commits"] for line in listing.splitlines())
    admin_view = userstream.run("kafka", "groups", "python-commits", "--json").stdout.decode()
    lag = json.loads(admin_view)["lag"][topic]
    ends = {entry["partition"]: entry["endOffset"] for entry in lag}
    total = sum(ends[p] - chosen[p] for p in chosen)
    swift.wait_for(lambda s: len(s.records) >= total, "the records after the committed offsets")
    firsts = {}
    for r in swift.records:
        firsts[r["partition"]] = min(firsts.get(r["partition"], r["offset"]), r["offset"])
    assert firsts == {p: o for p, o in chosen.items() if ends[p] > o}
    assert len(swift.records) == total
    assert swift.stop() == 0


def member_ids(userstream, group, topic):
    """The group's members as its coordinator describes them."""
    described = userstream.run("kafka", "groups", group, "--topic", topic, "--json", check=False)
    return {m["memberID"] for m in json.loads(described.stdout)["group"]["members"]} if described.returncode == 0 else set()


def wedge_after_join(userstream, broker, topic, group, start_joiner):
    """A kafka-python leader leaves just after a newer member's join started a rebalance: Tansu
    keeps it as the leader of a group it is no longer in, so no join there can complete.
    `start_joiner()` starts that newer member; returns it."""
    leader = python_member(broker.bootstrap, topic, group)
    poll_until(leader, lambda: leader.assignment(), "the kafka-python member to lead the group", [])
    before = member_ids(userstream, group, topic)
    joiner = start_joiner()
    wait_until(lambda: member_ids(userstream, group, topic) - before, "the new member to join", 60, alive=[joiner])
    leader.close()  # LeaveGroup from the leader, mid-rebalance
    return joiner


def test_a_group_that_cannot_form_is_reported_and_until_idle_ends_kafka_consume(userstream, broker):
    topic, group = "groups-wedged-consume", "wedged-consume"
    create_topic(userstream, topic, 3)
    produce(broker.bootstrap, topic, [f"wedged-{i}" for i in range(10)])
    started = []

    def start():
        started.append(SwiftGroupMember(userstream, topic, group, "--until-idle", "8"))
        return started[0]

    wedge_after_join(userstream, broker, topic, group, start)
    swift = started[0]
    code = swift.wait(60)  # it must end by itself
    log = swift.log
    assert code == 0, log
    assert swift.records == [], "records printed without an assignment"
    warning = next((line for line in log.splitlines() if "has assigned no partitions" in line), None)
    assert warning, f"no warning about the group: {log[-2000:]}"
    assert f"consumer group '{group}'" in warning and "JoinGroup rounds" in warning and "state" in warning, warning
    assert "is not among them" in warning, warning
    assert f"consumed 0 records from {topic}" in log, log[-1000:]


def test_until_idle_ends_stream_when_its_group_cannot_form(userstream, broker, tmp_path):
    topic, group = "groups-wedged-stream", "wedged-stream"
    sink = f"sqlite:{tmp_path / 'users.db'}"
    userstream.run("setup", "--topic", topic, "--partitions", "3", "--sink", sink)
    stream = wedge_after_join(userstream, broker, topic, group, lambda: userstream.start(
        "stream", "--topic", topic, "--group", group, "--sink", sink, "--until-idle", "5"))
    code = stream.wait(60)  # it must end by itself
    output = stream.output()
    assert code == 0, output
    assert "userstream: stream consumed=0" in output, output[-2000:]
