import KafkaProtocol

/// Sending order for one partition of an idempotent producer (KIP-98 rules):
/// sequence numbers are assigned when a batch is first sent and kept across retries; at most
/// `maxInFlight` batches are in flight; after a retriable failure the partition sends one batch
/// at a time, lowest sequence first, until the failed batch succeeds, so the log stays in order.
struct PartitionSequencer: Sendable, Equatable {
    /// What to do with a batch after the broker answered for it.
    enum Verdict: Equatable {
        /// Written (or already written: a duplicate); report its offsets.
        case completed
        /// Put it back in the queue, keeping its sequence, and send it again after a backoff.
        case retry
        /// Give up on this batch with the broker's error.
        case fail
        /// The broker no longer knows this producer's sequences (it lost its state, e.g. in a
        /// restart): get a new producer id, then send the batch again with a new sequence.
        /// The batch may be written twice; the records' keys make that harmless downstream.
        case retryWithNewProducerID
    }

    let maxInFlight: Int
    private(set) var nextSequence: Int32 = 0
    /// Base sequences of batches on the wire, in send order.
    private(set) var inFlight: [Int32] = []
    /// Set by a retriable failure; cleared once every earlier batch has completed.
    private(set) var isRecovering = false
    /// The batch sent on its own while recovering: a refusal of it cannot be pipelining.
    private(set) var soloSequence: Int32?
    /// Batches sent at least once, and those sent again after their answer was lost or refused.
    private(set) var attempted: Set<Int32> = []
    private(set) var resent: Set<Int32> = []

    init(maxInFlight: Int = 5) {
        self.maxInFlight = maxInFlight
    }

    /// Whether another batch may go out now.
    var canSend: Bool {
        isRecovering ? inFlight.isEmpty : inFlight.count < maxInFlight
    }

    /// Reserves `recordCount` sequence numbers for a batch about to be sent for the first time.
    mutating func assignSequence(recordCount: Int) -> Int32 {
        let base = nextSequence
        // Sequences wrap to 0 after Int32.max, as the broker expects.
        let next = Int64(base) + Int64(recordCount)
        nextSequence = next > Int64(Int32.max) ? Int32(next - Int64(Int32.max) - 1) : Int32(next)
        return base
    }

    /// The batch with `baseSequence` was written to the connection.
    mutating func sent(baseSequence: Int32) {
        soloSequence = isRecovering && inFlight.isEmpty ? baseSequence : nil
        inFlight.append(baseSequence)
        if !attempted.insert(baseSequence).inserted { resent.insert(baseSequence) }
    }

    /// The broker answered for the batch with `baseSequence`; `errorCode` 0 means success.
    mutating func answered(baseSequence: Int32, errorCode: Int16, retriable: Bool) -> Verdict {
        let wasAlone = soloSequence == baseSequence
        inFlight.removeAll { $0 == baseSequence }
        let verdict = verdict(baseSequence: baseSequence, errorCode: errorCode, retriable: retriable, wasAlone: wasAlone)
        if verdict != .retry {
            attempted.remove(baseSequence)
            resent.remove(baseSequence)
        }
        return verdict
    }

    private mutating func verdict(baseSequence: Int32, errorCode: Int16, retriable: Bool, wasAlone: Bool) -> Verdict {
        switch KafkaErrorCode(rawValue: errorCode) {
        case .duplicateSequenceNumber where resent.contains(baseSequence):
            // "Already written" for a batch whose first answer never came is what the protocol
            // promises, but a broker killed mid-write (Tansu on s3 storage) says it for batches it
            // lost. Written again under a new producer id: at worst a copy in the topic, which the
            // records' keys make harmless downstream; never a user lost.
            isRecovering = true
            return .retryWithNewProducerID
        case .none, .duplicateSequenceNumber:  // already written by an earlier attempt
            if inFlight.isEmpty { isRecovering = false }
            return .completed
        case .unknownProducerId:
            isRecovering = true
            return .retryWithNewProducerID
        case .outOfOrderSequenceNumber:
            // An earlier batch failed and is being retried, or the broker handled pipelined
            // requests out of order (Tansu does): resend in sequence order, one at a time.
            // Refused again when it was the only batch on the wire, the gap is real (the broker
            // lost what it had written): only a new producer id gets past it.
            isRecovering = true
            return wasAlone ? .retryWithNewProducerID : .retry
        default:
            if retriable {
                isRecovering = true
                return .retry
            }
            return .fail
        }
    }

    /// The connection failed before an answer: as retriable as any retriable error.
    mutating func lost(baseSequence: Int32) -> Verdict {
        answered(baseSequence: baseSequence, errorCode: KafkaErrorCode.unknownServerError.rawValue, retriable: true)
    }

    /// Starts over at sequence 0 (after a new producer id or epoch).
    mutating func reset() {
        nextSequence = 0
        inFlight.removeAll()
        isRecovering = false
        soloSequence = nil
        attempted.removeAll()
        resent.removeAll()
    }
}
