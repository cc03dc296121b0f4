/// Fetch rounds for a `PartitionConsumer`'s assignment, one round prefetched ahead of the
/// caller. A round started before the assignment changed is dropped rather than handed out.
struct FetchRounds {
    let consumer: PartitionConsumer
    let maxWait: Duration
    private var pending: (task: Task<FetchRound, any Error>, epoch: UInt64)?

    /// Rounds wait at most the consumer's `maxWait`, and not longer than `idleTimeout`.
    init(consumer: PartitionConsumer, idleTimeout: Duration?) {
        self.consumer = consumer
        if let idleTimeout {
            maxWait = Swift.min(consumer.settings.maxWait, Swift.max(.milliseconds(10), idleTimeout))
        } else {
            maxWait = consumer.settings.maxWait
        }
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
            task = consumer.startRound(from: current.positions, maxWait: maxWait)
        }
        pending = nil
        let round = try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
        guard consumer.advance(to: round.positions, epoch: current.epoch) else { return ([], current.epoch) }
        // Prefetch: the next round runs while the caller handles this one.
        pending = (consumer.startRound(from: round.positions, maxWait: maxWait), current.epoch)
        return (round.records, current.epoch)
    }

    /// Stops the prefetched round.
    mutating func cancel() {
        pending?.task.cancel()
        pending = nil
    }
}
