import Foundation
import Logging
import NIOCore
import Synchronization
import Testing

@testable import Kafka
@testable import UserPipeline

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
