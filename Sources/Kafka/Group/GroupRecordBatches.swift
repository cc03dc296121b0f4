/// A group consumer's records as an async sequence of fetch-sized batches.
public struct GroupRecordBatches: AsyncSequence, Sendable {
    public typealias Element = [ConsumerRecord]
    let consumer: KafkaConsumer
    let idleTimeout: Duration?

    public func makeAsyncIterator() -> Iterator {
        Iterator(consumer: consumer, idleTimeout: idleTimeout)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let gate: HandOutGate
        let idleTimeout: Duration?
        var rounds: FetchRounds
        var lastRecordAt = ContinuousClock.now
        /// Releases the batch in hand when the caller stops iterating (breaks out of its loop).
        let hold: BatchHold

        init(consumer: KafkaConsumer, idleTimeout: Duration?) {
            gate = consumer.gate
            self.idleTimeout = idleTimeout
            rounds = FetchRounds(consumer: consumer.fetcher, idleTimeout: idleTimeout)
            hold = BatchHold(gate: consumer.gate)
        }

        public mutating func next() async throws -> [ConsumerRecord]? {
            gate.release()
            while true {
                let remaining = idleTimeout.map { $0 - (ContinuousClock.now - lastRecordAt) }
                if let remaining, remaining <= .zero { return end() }
                switch await gate.waitUntilOpen(timeout: remaining) {
                case .open: break
                case .timedOut: return end()
                case .ended:
                    rounds.cancel()
                    if let failure = gate.failure { throw failure }
                    try Task.checkCancellation()
                    return nil
                }
                let round: (records: [ConsumerRecord], epoch: UInt64)
                do {
                    round = try await rounds.next()
                } catch where gate.hasEnded && gate.failure == nil {
                    return nil  // the consumer stopped and shut the connections under a fetch
                }
                // A revoke between the fetch and here changed the epoch: those records are stale.
                let fetcher = rounds.consumer
                if let passing = gate.handOut(round.records, if: { fetcher.currentAssignment.epoch == round.epoch }), !passing.isEmpty {
                    lastRecordAt = .now
                    return passing
                }
            }
        }

        private mutating func end() -> [ConsumerRecord]? {
            rounds.cancel()
            return nil
        }
    }
}

/// Tells the gate the caller holds no batch once its iterator is gone.
final class BatchHold: Sendable {
    let gate: HandOutGate
    init(gate: HandOutGate) { self.gate = gate }
    deinit { gate.release() }
}
