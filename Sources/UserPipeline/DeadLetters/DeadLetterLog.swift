import Kafka

/// The dead-letter topic as a log to read: where each partition starts and ends, and its records
/// from given positions up to the ends seen at the start, so records dead-lettered meanwhile (a
/// replayed record that failed again) wait for the next run.
public struct DeadLetterLog: Sendable {
    public let topic: String
    private let admin: KafkaAdmin

    /// The first and end offset of each partition.
    public struct Extent: Sendable, Equatable {
        public var starts: [Int32: Int64]
        public var ends: [Int32: Int64]
        /// Records between them.
        public var count: Int64 { ends.reduce(0) { $0 + max(0, $1.value - (starts[$1.key] ?? 0)) } }
    }

    /// The log of `topic` on the cluster `admin` speaks to.
    public init(topic: String, admin: KafkaAdmin) {
        self.topic = topic
        self.admin = admin
    }

    /// Where each partition starts and ends now; throws `DeadLetterError.topicMissing` when there is no such topic.
    public func extent() async throws -> Extent {
        guard try await admin.listTopics().contains(where: { $0.name == topic }) else { throw DeadLetterError.topicMissing(topic) }
        return Extent(starts: try await admin.offsets(topic: topic, .earliest), ends: try await admin.offsets(topic: topic, .latest))
    }

    /// Hands `body` the records from `positions` up to `ends`, batch by batch, in offset order
    /// within each partition, until `body` returns false. Stops early too when no record comes for
    /// `idleTimeout` (a log with gaps at its end).
    public func read(from positions: [Int32: Int64], to ends: [Int32: Int64], idleTimeout: Duration = .seconds(10),
                     _ body: ([DeadLetterEntry]) async throws -> Bool) async throws {
        var remaining = Set(positions.filter { $0.value < ends[$0.key] ?? 0 }.keys)
        guard !remaining.isEmpty else { return }
        let consumer = try await PartitionConsumer(cluster: admin.cluster)
        for partition in remaining.sorted() {
            try await consumer.assign([TopicPartition(topic: topic, partition: partition)], from: .offset(positions[partition] ?? 0))
        }
        for try await batch in consumer.batches(idleTimeout: idleTimeout) {
            let wanted = batch.filter { $0.offset < ends[$0.partition] ?? 0 }
            for record in wanted where record.offset + 1 >= ends[record.partition] ?? 0 { remaining.remove(record.partition) }
            if !wanted.isEmpty, try await !body(wanted.map(DeadLetterEntry.init)) { break }
            if remaining.isEmpty { break }
        }
    }
}
