import Foundation
import Logging
import NIOCore
import Synchronization
import Testing

@testable import Kafka
@testable import UserPipeline
@testable import Metering

/// A dead-letter topic that refuses its first `failures` sends, then keeps what it is sent.
final class FlakyDeadLetters: DeadLetterSender {
    private let state: Mutex<(failuresLeft: Int, kept: [ProducerRecord])>

    init(failures: Int) {
        state = Mutex((failures, []))
    }

    var kept: [ProducerRecord] { state.withLock { $0.kept } }

    func send(contentsOf records: [ProducerRecord]) async -> [Result<RecordMetadata, KafkaError>] {
        state.withLock { state in
            if state.failuresLeft > 0 {
                state.failuresLeft -= 1
                return records.map { _ in .failure(.connectionClosed(BrokerAddress(host: "dlq", port: 9092))) }
            }
            state.kept += records
            return records.map { .success(RecordMetadata(topic: $0.topic, partition: 0, offset: -1)) }
        }
    }
}

/// The processor's own rules, with the sink, the dead-letter topic and the commits in memory.
@Suite struct StreamProcessorRulesTests {
    static func record(_ offset: Int64, _ value: String) -> ConsumerRecord {
        ConsumerRecord(topic: "users_created", partition: 0, offset: offset, timestamp: 0, key: nil,
                       value: ByteBuffer(string: value), headers: [])
    }

    @Test("a record is committed only after its dead letter was accepted; a refused send is retried until it is")
    func deadLettersAreRetriedBeforeTheCommit() async throws {
        let sink = FlakySink(failures: 0)
        let dlq = FlakyDeadLetters(failures: 2)
        let commits = Mutex<[[TopicPartition: Int64]]>([])
        let processor = StreamProcessor(
            sink: sink, deadLetters: dlq, dlqTopic: "users_created.dlq", maxBackoff: .milliseconds(10),
            logger: Logger(label: "test"), commit: { offsets in
                #expect(!dlq.kept.isEmpty, "committed before the dead letter was accepted")
                commits.withLock { $0.append(offsets) }
            })
        let partition = TopicPartition(topic: "users_created", partition: 0)
        await processor.partitionsAssigned([partition: 0])
        let user = StreamProcessorTests.user(1)
        let batch = [Self.record(0, String(decoding: user.jsonBytes(), as: UTF8.self)), Self.record(1, "not json")]

        let summary = try await processor.run([batch].asSequence)

        #expect(summary.stored == 1 && summary.deadLettered == 1 && summary.writeRetries == 2)
        #expect(Set(sink.stored.keys) == [user.id])
        #expect(dlq.kept.map(\.topic) == ["users_created.dlq"])
        #expect(commits.withLock { $0 } == [[partition: 2]])
    }

    @Test("a record fetched again (offset at or below one already handed out) is neither stored twice nor committed back")
    func refetchedRecordsAreSkipped() async throws {
        let sink = FlakySink(failures: 0)
        let commits = Mutex<[[TopicPartition: Int64]]>([])
        let processor = StreamProcessor(
            sink: sink, deadLetters: FlakyDeadLetters(failures: 0), dlqTopic: "dlq", logger: Logger(label: "test"),
            commit: { offsets in commits.withLock { $0.append(offsets) } })
        let partition = TopicPartition(topic: "users_created", partition: 0)
        await processor.partitionsAssigned([partition: 5])
        let users = (0..<3).map(StreamProcessorTests.user)
        let records = users.enumerated().map { Self.record(Int64(5 + $0.offset), String(decoding: $0.element.jsonBytes(), as: UTF8.self)) }

        let summary = try await processor.run([records, Array(records.prefix(2))].asSequence)

        #expect(summary.consumed == 3 && summary.stored == 3)
        #expect(commits.withLock { $0 } == [[partition: 8]])
    }

    @Test("a partition moved back from a position past the log's end is stored from its new position, committed there, and counted")
    func offsetResetIsFollowedCommittedAndCounted() async throws {
        let sink = FlakySink(failures: 0)
        let export = PrometheusExport()
        let commits = Mutex<[[TopicPartition: Int64]]>([])
        let processor = StreamProcessor(
            sink: sink, deadLetters: FlakyDeadLetters(failures: 0), dlqTopic: "dlq", metrics: PipelineMetrics(factory: export.factory),
            logger: Logger(label: "test"), commit: { offsets in commits.withLock { $0.append(offsets) } })
        let partition = TopicPartition(topic: "users_created", partition: 0)
        await processor.partitionsAssigned([partition: 1000])
        processor.offsetReset(try #require(OffsetReset.decide(.earliest, partition: partition, position: 1000, logStart: 0, logEnd: 3)))
        let records = (0..<3).map { Self.record(Int64($0), String(decoding: StreamProcessorTests.user($0).jsonBytes(), as: UTF8.self)) }

        let summary = try await processor.run([records].asSequence)

        #expect(summary.stored == 3, "records below the old position were taken for re-fetches")
        #expect((summary.offsetResets, summary.offsetsSkipped, summary.readAgain) == (1, 0, 3))
        #expect(summary.line.contains(" offset_resets=1 skipped=0 read_again=3 "))
        #expect(commits.withLock { $0 } == [[partition: 3]])
        let metrics = Set(String(decoding: export.text(), as: UTF8.self).split(separator: "\n").map(String.init))
        #expect(metrics.isSuperset(of: [
            "userstream_offset_resets_total 1", #"userstream_offset_reset_records_total{kind="read_again"} 3"#,
            #"userstream_offset_reset_records_total{kind="skipped"} 0"#,
        ]))
    }
}

extension Array where Element: Sendable {
    /// The array as an async sequence of its elements.
    var asSequence: AsyncThrowingStream<Element, any Error> {
        AsyncThrowingStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}
