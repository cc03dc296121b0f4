"""The history checker: from what the API served, what `produce` reported, what the topic holds,
what the sink stored, what was dead-lettered and which offsets the group committed, it reports

  lost            users the broker acknowledged (or the topic holds) that are neither in the sink
                  nor dead-lettered — and acknowledged users missing from the topic itself;
  duplicated      sink rows beyond one per id;
  committed_ahead records at offsets below the group's committed offset that are neither stored
                  nor dead-lettered (an offset committed before its record was safe).

Every fault test ends with `check(...)` and asserts 0 / 0 / 0. Other figures (`topic_duplicates`,
`unserved`, `phantom_rows`, `dlq_duplicates`) are reported for diagnosis.

The pure part, `evaluate`, takes plain values so it can be tested on small hand-made histories;
`collect` reads them from the real processes (kafka-python for the topic, the DLQ and the group's
offsets; sqlite3 for the sink)."""
from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Record:
    """One record of the users topic."""
    partition: int
    offset: int
    key: str | None
    user_id: str | None  # the value's "id", None when the value is not a user


@dataclass(frozen=True)
class DeadLetter:
    """One record of the DLQ topic, by the source position its headers name."""
    partition: int
    offset: int
    reason: str


@dataclass
class History:
    served: set[str] | None          # ids the API served (None: not recorded)
    published: list[int]             # `published=` of each produce run that printed a summary
    records: list[Record]
    dead_letters: list[DeadLetter]
    sink_ids: list[str]              # one entry per sink row
    committed: dict[int, int]        # partition → committed offset (next to read)
    drained: bool = True             # the stream ran to the topic's end: every record must be placed


@dataclass
class Verdict:
    lost: int = 0
    duplicated: int = 0
    committed_ahead: int = 0
    topic_duplicates: int = 0
    unserved: int = 0
    phantom_rows: int = 0
    dlq_duplicates: int = 0
    details: dict[str, list] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return self.lost == self.duplicated == self.committed_ahead == 0

    def figures(self) -> tuple[int, int, int]:
        return self.lost, self.duplicated, self.committed_ahead

    def __str__(self) -> str:
        shown = {k: v[:5] for k, v in self.details.items() if v}
        return (f"lost={self.lost} duplicated={self.duplicated} committed_ahead={self.committed_ahead} "
                f"topic_duplicates={self.topic_duplicates} unserved={self.unserved} "
                f"phantom_rows={self.phantom_rows} dlq_duplicates={self.dlq_duplicates} "
                f"totals={self.totals} details={shown}")


def evaluate(history: History) -> Verdict:
    verdict = Verdict()
    details: dict[str, list] = defaultdict(list)

    sink_counts = Counter(history.sink_ids)
    sink = set(sink_counts)
    dead = Counter((d.partition, d.offset) for d in history.dead_letters)
    placed = lambda r: (r.user_id is not None and r.user_id in sink) or (r.partition, r.offset) in dead

    topic_ids = Counter(r.user_id for r in history.records if r.user_id is not None)
    acknowledged = sum(history.published)

    # Lost on the way in: the broker acknowledged more users than the topic holds (of those served).
    in_topic = {i for i in topic_ids if history.served is None or i in history.served}
    if acknowledged > len(in_topic):
        verdict.lost += acknowledged - len(in_topic)
        details["acknowledged_not_in_topic"].append(f"published={acknowledged} in_topic={len(in_topic)}")

    # Lost on the way out: a record of a drained topic that is neither stored nor dead-lettered.
    if history.drained:
        for r in history.records:
            if not placed(r):
                verdict.lost += 1
                details["not_stored"].append((r.partition, r.offset, r.user_id))

    # Duplicated: more than one sink row for an id.
    for user_id, n in sink_counts.items():
        if n > 1:
            verdict.duplicated += n - 1
            details["duplicate_rows"].append((user_id, n))

    # Committed ahead: an offset below the committed one whose record is not safe anywhere, and
    # committed offsets beyond the records the topic holds.
    by_partition: dict[int, list[Record]] = defaultdict(list)
    for r in history.records:
        by_partition[r.partition].append(r)
    for partition, committed in history.committed.items():
        records = by_partition.get(partition, [])
        end = max((r.offset for r in records), default=-1) + 1
        if len(records) < end:  # offsets the broker handed out but holds no record for
            details["offset_gaps"].append((partition, missing_ranges({r.offset for r in records}, end)))
        for r in records:
            if r.offset < committed and not placed(r):
                verdict.committed_ahead += 1
                details["committed_unplaced"].append((partition, r.offset, r.user_id, committed))
        if committed > end:
            verdict.committed_ahead += committed - end
            details["committed_past_end"].append((partition, committed, end))

    for user_id, n in topic_ids.items():
        if n > 1:
            verdict.topic_duplicates += n - 1
            details["topic_duplicates"].append((user_id, n))
    if history.served is not None:
        unserved = [i for i in topic_ids if i not in history.served]
        verdict.unserved = len(unserved)
        details["unserved"].extend(unserved)
    phantom = sink - set(topic_ids)
    verdict.phantom_rows = len(phantom)
    details["phantom_rows"].extend(sorted(phantom))
    verdict.dlq_duplicates = sum(n - 1 for n in dead.values() if n > 1)

    verdict.details = dict(details)
    verdict.totals = {"served": len(history.served) if history.served is not None else -1,
                      "acknowledged": acknowledged, "records": len(history.records),
                      "distinct_ids": len(topic_ids), "sink_rows": len(history.sink_ids),
                      "dead_lettered": len(history.dead_letters),
                      "committed": sum(history.committed.values())}
    return verdict


def missing_ranges(offsets: set[int], end: int) -> list[tuple[int, int]]:
    """The half-open offset ranges below `end` that hold no record."""
    ranges, start = [], None
    for offset in range(end + 1):
        if offset < end and offset not in offsets:
            start = offset if start is None else start
        elif start is not None:
            ranges.append((start, offset))
            start = None
    return ranges


# ---- reading the real processes ----

def read_topic(bootstrap: str, topic: str) -> list:
    """Every record of every partition of `topic`, as kafka-python messages, read to the end
    offsets the broker reports (then one more poll, so anything past them shows too)."""
    from kafka import KafkaConsumer, TopicPartition
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             max_partition_fetch_bytes=4 << 20, request_timeout_ms=30000)
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not tps:
            return []
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        ends = consumer.end_offsets(tps)
        got = []
        idle = 0
        while idle < 2:
            batch = consumer.poll(timeout_ms=1000)
            messages = [m for msgs in batch.values() for m in msgs]
            got.extend(messages)
            caught_up = all(consumer.position(tp) >= ends[tp] for tp in tps)
            idle = idle + 1 if caught_up and not messages else 0
        return got
    finally:
        consumer.close()


def committed_offsets(bootstrap: str, group: str, topic: str) -> dict[int, int]:
    from kafka import KafkaAdminClient
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30000)
    try:
        offsets = admin.list_group_offsets({group: None}).get(group, {})
    finally:
        admin.close()
    return {tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == topic and meta.offset >= 0}


def sqlite_ids(db) -> list[str]:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
            return [row[0] for row in connection.execute("SELECT id FROM created_users")]
    except sqlite3.OperationalError:
        return []


def sqlite_count(db) -> int:
    """Rows in the SQLite sink, read-only: never creates the file or its directory."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
            return connection.execute("SELECT COUNT(*) FROM created_users").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def user_id(value: bytes | None) -> str | None:
    try:
        body = json.loads(value)
        return body["id"] if isinstance(body, dict) and isinstance(body.get("id"), str) else None
    except (TypeError, ValueError):
        return None


def collect(bootstrap: str, topic: str, dlq: str, group: str, db, *, served=None, summaries=(),
            drained=True) -> History:
    """Reads a history from the live processes. Committed offsets first, then the sink, then the
    topics: a record covered by a commit must already be safe, so reading in this order never
    reports a commit as ahead because the sink was read too early."""
    committed = committed_offsets(bootstrap, group, topic)
    sink = sqlite_ids(db)
    dead = []
    for m in read_topic(bootstrap, dlq):
        headers = {k: v.decode(errors="replace") for k, v in (m.headers or [])}
        if "dlq.source.topic" in headers and headers["dlq.source.topic"] != topic:
            continue
        dead.append(DeadLetter(int(headers.get("dlq.source.partition", -1)),
                               int(headers.get("dlq.source.offset", -1)), headers.get("dlq.reason", "")))
    records = [Record(m.partition, m.offset, m.key.decode(errors="replace") if m.key is not None else None,
                      user_id(m.value)) for m in read_topic(bootstrap, topic)]
    return History(served=set(served) if served is not None else None,
                   published=[int(s["published"]) for s in summaries],
                   records=records, dead_letters=dead, sink_ids=sink, committed=committed, drained=drained)


def check(bootstrap: str, topic: str, dlq: str, group: str, db, **kwargs) -> Verdict:
    return evaluate(collect(bootstrap, topic, dlq, group, db, **kwargs))
