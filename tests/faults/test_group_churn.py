"""A consumer group under churn: `stream` replicas started and killed (SIGKILL and SIGTERM by
turns) while `produce` runs, each kill just after a newer replica's first JoinGroup reached the
coordinator, so it lands inside a rebalance. Then the last of them, which leads the group, is
stopped with SIGTERM just after a new replica joins: the new replica must form the group alone
and store what is produced next, and the history checker must find nothing lost, duplicated or
committed ahead."""
import signal
import socket
import struct

from fault_fixtures import assert_verified, set_up_run
from history import check, sqlite_count
from pipeline_fixtures import summary
from processes import Userstream, wait_until

ROUNDS = 10
COUNT = 4000


class GroupMembers:
    """The group's member ids as DescribeGroups (v0) on one open connection reports them: cheap
    enough to poll every few milliseconds, so a kill can follow a join closely."""

    def __init__(self, bootstrap: str, group: str):
        host, port = bootstrap.rsplit(":", 1)
        self.connection = socket.create_connection((host, int(port)), 10)
        self.group = group.encode()

    def __call__(self) -> set[str]:
        client = b"group-churn-test"
        request = struct.pack(">hhih", 15, 0, 1, len(client)) + client + struct.pack(">ih", 1, len(self.group)) + self.group
        self.connection.sendall(struct.pack(">i", len(request)) + request)
        data = self._read(struct.unpack(">i", self._read(4))[0])
        at = 8  # correlation id, one group
        error, at = struct.unpack_from(">h", data, at)[0], at + 2
        for _ in range(4):  # group id, state, protocol type, protocol
            at += 2 + struct.unpack_from(">h", data, at)[0]
        members = set()
        if error:  # no such group yet
            return members
        count, at = struct.unpack_from(">i", data, at)[0], at + 4
        for _ in range(count):
            length = struct.unpack_from(">h", data, at)[0]
            members.add(data[at + 2:at + 2 + length].decode())
            at += 2 + length
            for _ in range(2):  # client id, client host
                at += 2 + struct.unpack_from(">h", data, at)[0]
            for _ in range(2):  # metadata, assignment
                at += 4 + max(0, struct.unpack_from(">i", data, at)[0])
        return members

    def _read(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.connection.recv(size - len(data))
            assert chunk, "the broker closed the DescribeGroups connection"
            data += chunk
        return data

    def close(self):
        self.connection.close()


def test_replicas_started_and_killed_under_produce_leave_a_group_a_new_replica_forms(broker, slow_api, tmp_path):
    us = Userstream(broker.bootstrap)
    topic, dlq, group, db, sink = set_up_run(us, tmp_path)
    produce = us.start("produce", "--api", slow_api.url, "--topic", topic, "--count", str(COUNT), "--batch", "50",
                       "--concurrency", "1")
    members = GroupMembers(broker.bootstrap, group)
    replicas, seen = [], set()

    def join_and_kill_the_oldest(name, kill_signal):
        """Starts a replica and, once its first JoinGroup has started a rebalance, kills the oldest."""
        replica = us.start("stream", "--topic", topic, "--group", group, "--sink", sink, name=name)
        replicas.append(replica)
        wait_until(lambda: members() - seen, f"{name} to join", alive=replicas, interval=0.005)
        seen.update(members())
        if len(replicas) > 1:
            oldest = replicas.pop(0)
            oldest.kill(kill_signal)
            if kill_signal == signal.SIGTERM:
                assert oldest.returncode == 0, f"{oldest.name} exited {oldest.returncode} on SIGTERM: {oldest.tail()}"
        return replica

    for round in range(ROUNDS):
        join_and_kill_the_oldest(f"stream replica {round}", signal.SIGTERM if round % 2 else signal.SIGKILL)
    assert produce.wait() == 0, f"produce exited {produce.returncode}: {produce.tail()}"
    produced = produce.summary()
    assert produced["published"] == str(COUNT) and produced["failed"] == "0", produced
    # The survivor alone stores everything, so it leads the group when the new replica comes.
    wait_until(lambda: sqlite_count(db) >= COUNT, f"{COUNT} users stored by the last replica", alive=replicas, timeout=90)

    last = join_and_kill_the_oldest("the new replica", signal.SIGTERM)
    more = summary(us.run("produce", "--api", slow_api.url, "--topic", topic, "--count", "500", "--batch", "50"))
    assert more["published"] == "500", more
    wait_until(lambda: sqlite_count(db) >= COUNT + 500, "the new replica to store the users produced after the churn",
               alive=[last], timeout=90)
    last.kill(signal.SIGTERM)
    assert last.returncode == 0, f"the new replica exited {last.returncode} on SIGTERM: {last.tail()}"
    members.close()

    verdict = check(broker.bootstrap, topic, dlq, group, db, served=slow_api.served, summaries=[produced, more])
    assert verdict.figures() == (0, 0, 0), verdict
    assert_verified(us, topic, dlq, db)
