import Foundation
import Kafka
import KafkaTestSupport
import Logging
import NIOCore
import Synchronization
import ServiceScope
import Testing
@testable import UserPipeline
@testable import UserContract
@testable import UserSinks
@testable import Metering

/// A sink that fails its first `failures` writes, as a database that is down for a while.
final class FlakySink: UserSink {
    private struct State {
        var failuresLeft: Int
        var users: [String: User] = [:]
    }

    private let state: Mutex<State>

    init(failures: Int) {
        state = Mutex(State(failuresLeft: failures))
    }

    var stored: [String: User] { state.withLock { $0.users } }
    var isDown: Bool { state.withLock { $0.failuresLeft > 0 } }

    func upsert(_ users: [User]) async throws {
        try state.withLock { state in
            if state.failuresLeft > 0 {
                state.failuresLeft -= 1
                throw SinkDown()
            }
            for user in users { state.users[user.id] = user }
        }
    }

    func count() async throws -> Int { stored.count }
    func query(limit: Int?) async throws -> [User] { Array(stored.values.prefix(limit ?? .max)) }
    func close() async throws {}
}

struct SinkDown: Error, CustomStringConvertible {
    var description: String { "the test's sink is down on purpose" }
}

/// Batches from `base` until `count` records have been handed out, so a run ends on that event.
struct FirstRecords<Base: AsyncSequence<[ConsumerRecord], any Error>>: AsyncSequence {
    let base: Base
    let count: Int

    init(_ base: Base, count: Int) {
        self.base = base
        self.count = count
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        var remaining: Int

        mutating func next() async throws -> [ConsumerRecord]? {
            guard remaining > 0, let batch = try await base.next() else { return nil }
            remaining -= batch.count
            return batch
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), remaining: count) }
}

/// The stream processor against a real Tansu broker, with a sink that is down at first.
@Suite struct StreamProcessorTests {
    static func user(_ n: Int) -> User {
        User(id: UUID().uuidString.lowercased(), firstName: "First\(n)", lastName: "Last", gender: "female",
             address: "\(n) Main St, Springfield, Oregon, United States", postCode: "97403", email: "user\(n)@example.com",
             username: "user\(n)", dob: "1990-01-02T03:04:05.678Z", registeredDate: "2020-03-04T05:06:07.890Z",
             phone: "555-0100", picture: "https://example.com/\(n).jpg")
    }

    @Test func aDownSinkIsRetriedAndNothingIsCommittedBeforeItStored() async throws {
        let broker = try TansuBroker.start()
        let topic = "users-\(UUID().uuidString.prefix(8))"
        let admin = KafkaAdmin(configuration: broker.configuration)
        try await admin.createTopics([NewTopic(name: topic, partitions: 2), NewTopic(name: topic + ".dlq", partitions: 1)])

        let producer = try await KafkaProducer(configuration: broker.configuration)
        let users = (0..<200).map(Self.user)
        var records = users.map { ProducerRecord(topic: topic, key: ByteBuffer(string: $0.id), value: ByteBuffer(bytes: $0.jsonBytes())) }
        records += ["not json", #"{"id": 1}"#, ""].map { ProducerRecord(topic: topic, value: ByteBuffer(string: $0)) }
        // Runs while the records go out and while the processor dead-letters through it.
        try await whileRunning(producer) {
            for outcome in await producer.send(contentsOf: records) { _ = try outcome.get() }
            let ends = try await admin.offsets(topic: topic, .latest)

            let sink = FlakySink(failures: 3)
            let export = PrometheusExport()
            let commitsWhileDown = Atomic<Int>(0)
            let consumer = try await KafkaConsumer(configuration: broker.configuration, group: ConsumerGroupSettings(groupID: topic))
            let processor = StreamProcessor(
                sink: sink, deadLetters: producer, dlqTopic: topic + ".dlq", maxBackoff: .milliseconds(200),
                metrics: PipelineMetrics(factory: export.factory), logger: Logger(label: "test"), commit: { offsets in
                    if sink.isDown { commitsWhileDown.add(1, ordering: .relaxed) }
                    try await consumer.commit(offsets)
                })
            // The consumer leaves the group (committing the revoked partitions' progress) as its scope ends.
            let summary = try await whileRunning(consumer) {
                try await consumer.subscribe(to: [topic], listener: RebalanceListener(
                    revoked: { await processor.partitionsRevoked($0) }, assigned: { await processor.partitionsAssigned($0) }))
                // Ends once all 203 records were handed out; the idle timeout only ends a run that lost some.
                return try await processor.run(FirstRecords(consumer.batches(idleTimeout: .seconds(60)), count: records.count))
            }

            #expect(summary.writeRetries == 3)
            #expect(commitsWhileDown.load(ordering: .relaxed) == 0)
            #expect(summary.stored == 200 && summary.deadLettered == 3)
            #expect(Set(sink.stored.keys) == Set(users.map(\.id)))
            // The metrics count what the summary counts.
            let metrics = Set(String(decoding: export.text(), as: UTF8.self).split(separator: "\n").map(String.init))
            #expect(metrics.isSuperset(of: [
                "userstream_records_consumed_total 203", "userstream_users_stored_total 200", "userstream_sink_write_retries_total 3",
                #"userstream_records_dead_lettered_total{reason="not_json"} 1"#, #"userstream_records_dead_lettered_total{reason="wrong_type"} 1"#,
                #"userstream_records_dead_lettered_total{reason="empty_value"} 1"#, "userstream_end_to_end_latency_seconds_count 200",
            ]))
            let committed = try await admin.committedOffsets(group: topic, topic: topic)
            #expect(committed == ends)
        }
        await admin.shutdown()
    }
}
