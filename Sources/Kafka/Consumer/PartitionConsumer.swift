import KafkaProtocol
import Synchronization

/// Reads assigned partitions from given positions, fetching the next round while the caller
/// processes the current one. Group membership and offset commits are not part of it.
public final class PartitionConsumer: Sendable {
    /// The cluster this consumer reads from.
    public let cluster: KafkaCluster
    public let settings: ConsumerSettings
    private let assignment = Mutex(Assignment())

    /// The positions of the assigned partitions; `epoch` changes whenever partitions are
    /// added or removed, so a fetch round started before that is recognised as stale.
    struct Assignment: Sendable {
        var positions: [TopicPartition: Int64] = [:]
        var epoch: UInt64 = 0
    }

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
        assign(positions: try await OffsetLookup(cluster: cluster).offsets(for: partitions, from: start, isolation: settings.isolation))
    }

    /// Adds partitions, each starting at its own offset.
    func assign(positions: [TopicPartition: Int64]) {
        assignment.withLock {
            $0.positions.merge(positions) { _, new in new }
            $0.epoch &+= 1
        }
    }

    /// Stops reading every partition; records of rounds already in flight are dropped.
    func unassignAll() {
        assignment.withLock {
            $0.positions.removeAll()
            $0.epoch &+= 1
        }
    }

    /// The positions and their epoch, read together.
    var currentAssignment: Assignment { assignment.withLock { $0 } }

    /// Moves the positions to where a round of `epoch` ended; false (and nothing moves) when
    /// the partitions changed since the round started.
    func advance(to positions: [TopicPartition: Int64], epoch: UInt64) -> Bool {
        assignment.withLock {
            guard $0.epoch == epoch else { return false }
            $0.positions.merge(positions) { _, new in new }
            return true
        }
    }

    /// Adds every partition of `topic`, starting at `start`.
    public func assign(topic: String, from start: ConsumerStart) async throws {
        let metadata = try await cluster.topic(topic)
        try await assign(metadata.partitions.map { TopicPartition(topic: topic, partition: $0.id) }, from: start)
    }

    /// The next offset to read, per assigned partition.
    public var currentPositions: [TopicPartition: Int64] { assignment.withLock { $0.positions } }

    /// Records in fetch-sized batches; ends after `idleTimeout` without a record (never when nil).
    public func batches(idleTimeout: Duration? = nil) -> RecordBatches {
        RecordBatches(consumer: self, idleTimeout: idleTimeout)
    }

    /// Closes the connections.
    public func shutdown() async {
        await cluster.shutdown()
    }

    func startRound(from positions: [TopicPartition: Int64], maxWait: Duration) -> Task<FetchRound, any Error> {
        let cluster = self.cluster
        let settings = self.settings
        return Task {
            guard !positions.isEmpty else {
                // Nothing assigned (a group member may get no partitions): wait as a fetch would.
                try await Task.sleep(for: maxWait)
                return FetchRound(positions: [:])
            }
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

    /// Fetch rounds as an async sequence, one round prefetched ahead of the caller.
    public struct RecordBatches: AsyncSequence, Sendable {
        public typealias Element = [ConsumerRecord]
        let consumer: PartitionConsumer
        let idleTimeout: Duration?

        public func makeAsyncIterator() -> Iterator {
            Iterator(consumer: consumer, idleTimeout: idleTimeout)
        }

        public struct Iterator: AsyncIteratorProtocol {
            let idleTimeout: Duration?
            var rounds: FetchRounds
            var lastRecordAt = ContinuousClock.now

            init(consumer: PartitionConsumer, idleTimeout: Duration?) {
                self.idleTimeout = idleTimeout
                self.rounds = FetchRounds(consumer: consumer, idleTimeout: idleTimeout)
            }

            public mutating func next() async throws -> [ConsumerRecord]? {
                while true {
                    let records = try await rounds.next().records
                    if !records.isEmpty {
                        lastRecordAt = .now
                        return records
                    }
                    if let idleTimeout, ContinuousClock.now - lastRecordAt >= idleTimeout {
                        rounds.cancel()
                        return nil
                    }
                }
            }
        }
    }
}
