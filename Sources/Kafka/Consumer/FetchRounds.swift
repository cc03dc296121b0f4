import Logging

/// Fetch rounds for a `PartitionConsumer`'s assignment, one round prefetched ahead of the
/// caller. A round started before the assignment changed is dropped rather than handed out.
/// Rounds that cannot reach a broker are retried, with pauses, for the reconnect window.
struct FetchRounds {
    let consumer: PartitionConsumer
    let maxWait: Duration
    let maxWaitWhenBehind: Duration
    /// The wait of the next round: `maxWaitWhenBehind` after a round that left records on the broker.
    private var wait: Duration
    private var pending: (task: Task<FetchRound, any Error>, epoch: UInt64)?
    private var reconnect: ReconnectWindow
    /// Counts rounds, so each starts its request one partition further on (FetchOrder).
    private var rotation = 0
    private static let logger = Logger(label: "userstream.kafka.fetch")

    /// Rounds wait at most the consumer's `maxWait`, and not longer than `idleTimeout`.
    init(consumer: PartitionConsumer, idleTimeout: Duration?) {
        self.consumer = consumer
        func capped(_ wait: Duration) -> Duration {
            idleTimeout.map { Swift.min(wait, Swift.max(.milliseconds(10), $0)) } ?? wait
        }
        maxWait = capped(consumer.settings.maxWait)
        maxWaitWhenBehind = Swift.max(maxWait, capped(consumer.settings.maxWaitWhenBehind))
        wait = maxWait
        reconnect = ReconnectWindow(window: consumer.cluster.configuration.reconnectWindow)
    }

    /// The next round's records (empty when it had none, or when the assignment changed
    /// meanwhile) and the assignment epoch they belong to.
    mutating func next() async throws -> (records: [ConsumerRecord], epoch: UInt64) {
        try Task.checkCancellation()
        let current = consumer.currentAssignment
        let task: Task<FetchRound, any Error>
        if let pending, pending.epoch == current.epoch {
            task = pending.task
        } else {
            pending?.task.cancel()
            task = startRound(from: current.positions)
        }
        pending = nil
        let round: FetchRound
        do {
            round = try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
        } catch let error as KafkaError where error.isUnreachable || error.isRetriable {
            try await pause(after: error)
            return ([], current.epoch)
        }
        // A round that lost its leaders has not reached a broker either.
        if !(round.needsMetadata && round.records.isEmpty) { reconnect.succeeded() }
        guard consumer.advance(to: round, epoch: current.epoch) else { return ([], current.epoch) }
        for reset in round.resets {
            Self.logger.warning("offset out of range on \(reset)")
            consumer.report(reset)
        }
        wait = round.leftRecordsBehind ? maxWaitWhenBehind : maxWait
        // Prefetch: the next round runs while the caller handles this one.
        pending = (startRound(from: round.positions), current.epoch)
        return (round.records, current.epoch)
    }

    private mutating func startRound(from positions: [TopicPartition: Int64]) -> Task<FetchRound, any Error> {
        rotation &+= 1
        return consumer.startRound(from: positions, maxWait: wait, rotation: rotation)
    }

    /// Waits before the next try, or throws once the brokers were unreachable for the whole window.
    private mutating func pause(after error: KafkaError) async throws {
        let now = ContinuousClock.now
        let first = reconnect.failures == 0
        guard let delay = reconnect.failed(at: now) else {
            throw KafkaError.brokersUnreachable(for: reconnect.window, lastError: "\(error)")
        }
        if first {
            Self.logger.warning("cannot fetch from Kafka (\(error)); reconnecting for up to \(reconnect.window)")
        }
        await consumer.cluster.invalidateMetadata()
        try await Task.sleep(for: delay)
    }

    /// Stops the prefetched round.
    mutating func cancel() {
        pending?.task.cancel()
        pending = nil
    }
}
