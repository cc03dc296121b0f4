@testable import Kafka
import NIOCore
import Testing
import UserContract
@testable import UserPipeline

/// The rules of `dlq replay` without a broker: what a dead letter says, which are selected, and
/// what goes back to the source topic.
@Suite struct DeadLetterReplayTests {
    let rejected = ConsumerRecord(topic: "users_created", partition: 2, offset: 41, timestamp: 1_000, key: ByteBuffer(string: "k"),
                                  value: ByteBuffer(string: "{}"), headers: [KafkaHeader(key: "origin", value: ByteBuffer(string: "test"))])

    /// `rejected` as the stream dead-letters it, read back from the dead-letter topic at `timestamp`.
    func deadLetter(_ reason: RejectionReason = .missingField("id"), timestamp: Int64 = 5_000, of record: ConsumerRecord? = nil) -> DeadLetterEntry {
        let sent = DeadLetter.record(for: record ?? rejected, reason: reason, topic: "users_created.dlq")
        return DeadLetterEntry(ConsumerRecord(topic: sent.topic, partition: 0, offset: 7, timestamp: timestamp,
                                              key: sent.key, value: sent.value, headers: sent.headers))
    }

    func replayed(_ entry: DeadLetterEntry, maxReplays: Int = 3) -> ProducerRecord? {
        guard case .replay(let record) = ReplayDecision.decide(entry, maxReplays: maxReplays) else { return nil }
        return record
    }

    func text(_ headers: [KafkaHeader]) -> [String] {
        headers.map { "\($0.key)=\($0.value.map { String(buffer: $0) } ?? "null")" }
    }

    @Test func readsReasonSourceAndNoReplaysFromAFirstDeadLetter() {
        let entry = deadLetter()
        #expect(entry.reason == "missing_field")
        #expect(entry.source == TopicPartition(topic: "users_created", partition: 2))
        #expect(entry.replays == 0)
        #expect(!entry.isCut)
        #expect(entry.deadLetterHeaders.map(\.key) == ["dlq.reason", "dlq.message", "dlq.source.topic", "dlq.source.partition", "dlq.source.offset"])
    }

    @Test func replaySendsKeyValueAndOriginalHeadersBackWithAReplayCount() throws {
        let record = try #require(replayed(deadLetter()))
        #expect(record.topic == "users_created")
        #expect(record.key == ByteBuffer(string: "k"))
        #expect(record.value == ByteBuffer(string: "{}"))
        #expect(text(record.headers) == ["origin=test", "dlq.replays=1"])
    }

    @Test func aReplayedRecordThatFailsAgainCountsOneMoreReplay() throws {
        let first = try #require(replayed(deadLetter()))
        let back = ConsumerRecord(topic: first.topic, partition: 2, offset: 90, timestamp: 6_000, key: first.key, value: first.value, headers: first.headers)
        let again = deadLetter(of: back)
        #expect(again.replays == 1)
        let second = try #require(replayed(again))
        #expect(text(second.headers) == ["origin=test", "dlq.replays=2"])
    }

    @Test func aRecordBackAfterMaxReplaysIsNotReplayedAgain() throws {
        var record = rejected
        record.headers.append(KafkaHeader(key: "dlq.replays", value: ByteBuffer(string: "3")))
        guard case .maxReplaysReached(let replays) = ReplayDecision.decide(deadLetter(of: record), maxReplays: 3) else {
            Issue.record("replayed a fourth time")
            return
        }
        #expect(replays == 3)
        #expect(replayed(deadLetter(of: record), maxReplays: 4) != nil)
        #expect(replayed(deadLetter(), maxReplays: 0) == nil)
    }

    @Test func aCutValueOrAMissingSourceIsNotReplayed() {
        var big = rejected
        big.value = ByteBuffer(repeating: UInt8(ascii: "x"), count: DeadLetter.maxValueBytes + 1)
        let cut = deadLetter(.oversizedValue(size: DeadLetter.maxValueBytes + 1, limit: 1), of: big)
        #expect(cut.isCut)
        guard case .unreplayable = ReplayDecision.decide(cut, maxReplays: 3) else { Issue.record("a cut value was replayed"); return }
        let foreign = DeadLetterEntry(ConsumerRecord(topic: "users_created.dlq", partition: 0, offset: 1, timestamp: 1, key: nil, value: nil, headers: []))
        #expect(foreign.reason == nil && foreign.source == nil)
        guard case .unreplayable = ReplayDecision.decide(foreign, maxReplays: 3) else { Issue.record("a record without a source was replayed"); return }
    }

    @Test func selectsByReasonAndTimeSinceInclusiveUntilExclusive() {
        let entry = deadLetter(.invalidID("x"), timestamp: 5_000)
        #expect(DeadLetterSelection().selects(entry))
        #expect(DeadLetterSelection(reason: "invalid_id").selects(entry))
        #expect(!DeadLetterSelection(reason: "not_json").selects(entry))
        #expect(DeadLetterSelection(since: 5_000, until: 5_001).selects(entry))
        #expect(!DeadLetterSelection(since: 5_001).selects(entry))
        #expect(!DeadLetterSelection(until: 5_000).selects(entry))
    }

    @Test func knownReasonsAreTheValidatorsCodes() {
        #expect(DeadLetterSelection.knownReasons.contains(RejectionReason.loneSurrogate(field: "x").code))
        #expect(Set(DeadLetterSelection.knownReasons).count == RejectionReason.Code.allCases.count)
    }

    @Test func statsCountByReasonAndSourcePartitionWithOldestAndNewest() {
        var stats = DeadLetterStats()
        stats.add(deadLetter(.invalidID("x"), timestamp: 9_000))
        stats.add(deadLetter(.invalidID("y"), timestamp: 2_000))
        stats.add(deadLetter(.notJSON(offset: 0, detail: "d"), timestamp: 5_000))
        stats.add(DeadLetterEntry(ConsumerRecord(topic: "users_created.dlq", partition: 0, offset: 1, timestamp: 4_000, key: nil, value: nil, headers: [])))
        #expect(stats.total == 4)
        #expect(stats.byReason == ["invalid_id": 2, "not_json": 1, "unknown": 1])
        #expect(stats.bySourcePartition == ["users_created-2": 3, "unknown": 1])
        #expect(stats.oldest == 2_000 && stats.newest == 9_000)
    }
}
