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
    }

    let maxInFlight: Int
    private(set) var nextSequence: Int32 = 0
    /// Base sequences of batches on the wire, in send order.
    private(set) var inFlight: [Int32] = []
    /// Set by a retriable failure; cleared once every earlier batch has completed.
    private(set) var isRecovering = false

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
        inFlight.append(baseSequence)
    }

    /// The broker answered for the batch with `baseSequence`; `errorCode` 0 means success.
    mutating func answered(baseSequence: Int32, errorCode: Int16, retriable: Bool) -> Verdict {
        let isFirst = inFlight.first == baseSequence
        inFlight.removeAll { $0 == baseSequence }
        switch errorCode {
        case 0, 46: // NONE, DUPLICATE_SEQUENCE_NUMBER (already written by an earlier attempt)
            if inFlight.isEmpty { isRecovering = false }
            return .completed
        case 45: // OUT_OF_ORDER_SEQUENCE_NUMBER
            // An earlier batch failed and is being retried, or the broker handled pipelined
            // requests out of order (Tansu does): resend in sequence order, one at a time.
            // A real gap never heals and fails once the attempts run out.
            _ = isFirst
            isRecovering = true
            return .retry
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
        answered(baseSequence: baseSequence, errorCode: -1, retriable: true)
    }

    /// Starts over at sequence 0 (after a new producer id or epoch).
    mutating func reset() {
        nextSequence = 0
        inFlight.removeAll()
        isRecovering = false
    }
}
