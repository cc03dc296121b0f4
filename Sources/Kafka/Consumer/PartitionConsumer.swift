import KafkaProtocol
import Synchronization

/// Reads assigned partitions from given positions, fetching the next round while the caller
/// processes the current one. Group membership and offset commits are not part of it.
public final class PartitionConsumer: Sendable {
    /// The cluster this consumer reads from.
    public let cluster: KafkaCluster
    public let settings: ConsumerSettings
    private let positions = Mutex<[TopicPartition: Int64]>([:])

    /// A consumer for the cluster described by `configuration`; connects before returning.
    public convenience init(configuration: KafkaConfiguration, settings: ConsumerSettings = ConsumerSettings()) async throws {
        try await self.init(cluster: KafkaCluster(configuration: configuration), settings: settings)
    }

    /// A consumer sharing `cluster` with other clients.
    public init(cluster: KafkaCluster, settings: ConsumerSettings = ConsumerSettings()) async throws {
        self.cluster = cluster
        self.settings = settings
        _ = try await cluster.anyConnection()
    }

    /// Adds `partitions`, starting at `start`.
    public func assign(_ partitions: [TopicPartition], from start: ConsumerStart) async throws {
        for topic in Set(partitions.map(\.topic)) { _ = try await cluster.topic(topic) }
        var resolved: [TopicPartition: Int64] = [:]
        switch start {
        case .offset(let offset):
            for tp in partitions { resolved[tp] = offset }
        case .earliest, .latest:
            resolved = try await OffsetLookup(cluster: cluster).offsets(for: partitions, start == .earliest ? .earliest : .latest, isolation: settings.isolation)
        }
        positions.withLock { $0.merge(resolved) { _, new in new } }
    }

    /// Adds every partition of `topic`, starting at `start`.
    public func assign(topic: String, from start: ConsumerStart) async throws {
        let metadata = try await cluster.topic(topic)
        try await assign(metadata.partitions.map { TopicPartition(topic: topic, partition: $0.id) }, from: start)
    }

    /// The next offset to read, per assigned partition.
    public var currentPositions: [TopicPartition: Int64] { positions.withLock { $0 } }

    /// Records in fetch-sized batches; ends after `idleTimeout` without a record (never when nil).
    public func batches(idleTimeout: Duration? = nil) -> RecordBatches {
        RecordBatches(consumer: self, idleTimeout: idleTimeout)
    }

    /// Closes the connections.
    public func shutdown() async {
        await cluster.shutdown()
    }

    fileprivate func startRound(from positions: [TopicPartition: Int64], maxWait: Duration) -> Task<FetchRound, any Error> {
        let cluster = self.cluster
        let settings = self.settings
        return Task {
            var round = try await FetchRound.fetch(cluster: cluster, positions: positions, settings: settings, maxWait: maxWait)
            if !round.outOfRange.isEmpty {
                let reset = try await OffsetLookup(cluster: cluster).offsets(for: round.outOfRange, settings.resetTo, isolation: settings.isolation)
                for (tp, offset) in reset { round.positions[tp] = offset }
            }
            if round.needsMetadata && round.records.isEmpty {
                try await Task.sleep(for: .milliseconds(100))
            }
            return round
        }
    }

    fileprivate func commitPositions(_ new: [TopicPartition: Int64]) {
        positions.withLock { $0.merge(new) { _, n in n } }
    }

    /// Fetch rounds as an async sequence, one round prefetched ahead of the caller.
    public struct RecordBatches: AsyncSequence, Sendable {
        public typealias Element = [ConsumerRecord]
        let consumer: PartitionConsumer
        let idleTimeout: Duration?

        public func makeAsyncIterator() -> Iterator {
            Iterator(consumer: consumer, idleTimeout: idleTimeout)
        }

        public struct Iterator: AsyncIteratorProtocol {
            let consumer: PartitionConsumer
            let idleTimeout: Duration?
            var pending: Task<FetchRound, any Error>?
            var lastRecordAt = ContinuousClock.now

            init(consumer: PartitionConsumer, idleTimeout: Duration?) {
                self.consumer = consumer
                self.idleTimeout = idleTimeout
            }

            var maxWait: Duration {
                guard let idleTimeout else { return consumer.settings.maxWait }
                return Swift.min(consumer.settings.maxWait, Swift.max(.milliseconds(10), idleTimeout))
            }

            public mutating func next() async throws -> [ConsumerRecord]? {
                while true {
                    try Task.checkCancellation()
                    let task = pending ?? consumer.startRound(from: consumer.currentPositions, maxWait: maxWait)
                    pending = nil
                    let round: FetchRound
                    do {
                        round = try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
                    } catch {
                        throw error
                    }
                    consumer.commitPositions(round.positions)
                    // Prefetch: the next round runs while the caller handles this one.
                    pending = consumer.startRound(from: round.positions, maxWait: maxWait)
                    if !round.records.isEmpty {
                        lastRecordAt = .now
                        return round.records
                    }
                    if let idleTimeout, ContinuousClock.now - lastRecordAt >= idleTimeout {
                        pending?.cancel()
                        pending = nil
                        return nil
                    }
                }
            }
        }
    }
}
