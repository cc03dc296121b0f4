"""Consumer group timings of `userstream kafka consume --group` on one Tansu broker:

- join: process start → its first assignment (one member, empty group);
- leave: a second member is stopped with SIGTERM (it revokes and sends LeaveGroup) →
  the remaining member owns every partition again;
- kill -9: the second member is killed → the remaining member owns every partition again
  (bounded below by the session timeout, after which the coordinator drops the member).

Tansu holds a JoinGroup for half the session timeout, so every (re)join costs that much.
Each measurement is repeated; min and median are reported per session timeout.

    scripts/setup.sh
    .venv/bin/python benchmarks/consumer_groups.py [--repetitions 3] [--session-timeouts 3,6]
"""
import argparse
import signal
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from conftest import Userstream  # noqa: E402
from processes import Broker  # noqa: E402
from kafka_fixtures import SwiftGroupMember  # noqa: E402

PARTITIONS = 6
EVERYTHING = set(range(PARTITIONS))


def one_round(userstream, topic, group, session_timeout, how):
    start = time.monotonic()
    first = SwiftGroupMember(userstream, topic, group, session_timeout=session_timeout)
    first.wait_for(lambda m: m.owned == EVERYTHING, "the first member's assignment")
    join = time.monotonic() - start
    second = SwiftGroupMember(userstream, topic, group, session_timeout=session_timeout)
    second.wait_for(lambda m: m.owned and first.owned and not (m.owned & first.owned)
                    and (m.owned | first.owned) == EVERYTHING, "the split between two members")
    start = time.monotonic()
    second.stop(signal.SIGTERM if how == "leave" else signal.SIGKILL)
    first.wait_for(lambda m: m.owned == EVERYTHING, "the partitions to be owned again")
    moved = time.monotonic() - start
    first.stop()
    return join, moved


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--session-timeouts", default="3,6")
    args = parser.parse_args()
    broker = Broker(schema_registry=False)  # no registry: see kafka_clients.py
    try:
        userstream = Userstream(broker.bootstrap)
        topic = "bench-groups"
        userstream.run("kafka", "topics", "create", topic, "--partitions", str(PARTITIONS))
        print(f"{'session timeout':>15}  {'measurement':<22} {'min s':>7} {'median s':>9}")
        for session_timeout in [float(s) for s in args.session_timeouts.split(",")]:
            results = {"join": [], "reassign after leave": [], "reassign after kill -9": []}
            for n in range(args.repetitions):
                for how in ("leave", "kill"):
                    join, moved = one_round(userstream, topic, f"bench-{session_timeout}-{how}-{n}", session_timeout, how)
                    results["join"].append(join)
                    results["reassign after leave" if how == "leave" else "reassign after kill -9"].append(moved)
            for name, values in results.items():
                print(f"{session_timeout:>14}s  {name:<22} {min(values):>7.2f} {statistics.median(values):>9.2f}")
    finally:
        broker.stop()


if __name__ == "__main__":
    main()
