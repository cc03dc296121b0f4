import KafkaProtocol
import Synchronization

/// Reads assigned partitions from given positions, fetching the next round while the caller
/// processes the current one. Group membership and offset commits are not part of it.
public final class PartitionConsumer: Sendable {
    /// The cluster this consumer reads from.
    public let cluster: KafkaCluster
    public let settings: ConsumerSettings
    private let assignment = Mutex(Assignment())
    private let resetObserver = Mutex<(@Sendable (OffsetReset) -> Void)?>(nil)

    /// The positions of the assigned partitions; `epoch` changes whenever partitions are
    /// added or removed, so a fetch round started before that is recognised as stale.
    struct Assignment: Sendable {
        var positions: [TopicPartition: Int64] = [:]
        var epoch: UInt64 = 0
        /// The last high watermark seen per partition.
        var ends: [TopicPartition: Int64] = [:]
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
            $0.ends.removeAll()
            $0.epoch &+= 1
        }
    }

    /// The positions and their epoch, read together.
    var currentAssignment: Assignment { assignment.withLock { $0 } }

    /// Moves the positions to where a round of `epoch` ended; false (and nothing moves) when
    /// the partitions changed since the round started.
    func advance(to round: FetchRound, epoch: UInt64) -> Bool {
        assignment.withLock {
            guard $0.epoch == epoch else { return false }
            $0.positions.merge(round.positions) { _, new in new }
            $0.ends.merge(round.highWatermarks) { _, new in new }
            return true
        }
    }

    /// Calls `observer` for every partition moved by the offset-reset policy, before records read
    /// from its new position are handed out (from the task iterating the records).
    public func observeOffsetResets(_ observer: @escaping @Sendable (OffsetReset) -> Void) {
        resetObserver.withLock { $0 = observer }
    }

    /// Tells the observer of `reset`.
    func report(_ reset: OffsetReset) {
        resetObserver.withLock { $0 }?(reset)
    }

    /// The assigned partition furthest behind its log's end as last fetched, and by how many records.
    public var worstLag: (partition: TopicPartition, lag: Int64)? {
        assignment.withLock { assignment in
            var worst: (partition: TopicPartition, lag: Int64)?
            // Ties go to the lowest partition number, so the line does not flicker between them.
            for (tp, position) in assignment.positions.sorted(by: { $0.key.partition < $1.key.partition }) {
                guard let end = assignment.ends[tp] else { continue }
                let lag = Swift.max(0, end - position)
                if lag > worst?.lag ?? -1 { worst = (tp, lag) }
            }
            return worst
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

    func startRound(from positions: [TopicPartition: Int64], maxWait: Duration, rotation: Int) -> Task<FetchRound, any Error> {
        let cluster = self.cluster
        let settings = self.settings
        // The prefetched round: FetchRounds keeps it and either awaits it next or cancels it.
        return Task {
            guard !positions.isEmpty else {
                // Nothing assigned (a group member may get no partitions): wait as a fetch would.
                try await Task.sleep(for: maxWait)
                return FetchRound(positions: [:])
            }
            var round = try await FetchRound.fetch(cluster: cluster, positions: positions, settings: settings, maxWait: maxWait, rotation: rotation)
            if !round.outOfRange.isEmpty { try await Self.reset(&round, from: positions, cluster: cluster, settings: settings) }
            if round.needsMetadata && round.records.isEmpty {
                try await Task.sleep(for: .milliseconds(100))
            }
            return round
        }
    }

    /// Moves the round's partitions whose position is outside the log as `settings.offsetReset` says, or throws for `.fail`.
    private static func reset(_ round: inout FetchRound, from positions: [TopicPartition: Int64], cluster: KafkaCluster,
                              settings: ConsumerSettings) async throws {
        let lookup = OffsetLookup(cluster: cluster)
        let starts = try await lookup.offsets(for: round.outOfRange, .earliest, isolation: settings.isolation)
        let ends = try await lookup.offsets(for: round.outOfRange, .latest, isolation: settings.isolation)
        for tp in round.outOfRange {
            // Inside the log after all (a stale answer): fetch again from there.
            guard let position = positions[tp], let start = starts[tp], let end = ends[tp], position < start || position > end else { continue }
            guard let reset = OffsetReset.decide(settings.offsetReset, partition: tp, position: position, logStart: start, logEnd: end) else {
                throw KafkaError.offsetOutOfRange(tp, position: position, logStart: start, logEnd: end)
            }
            round.positions[tp] = reset.to
            round.resets.append(reset)
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
