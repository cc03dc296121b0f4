import DequeModule
import KafkaProtocol
import Retry

/// Collects records into per-partition batches and decides which batches go out when:
/// a batch is sent once full, once it has waited `linger`, or on flush; each partition keeps at
/// most `maxInFlight` batches on the wire and retries in sequence order (`PartitionSequencer`).
/// Pure state; `Records` is what a batch keeps of its records (encoded bytes in the producer, a
/// list in tests), `Token` whatever the producer needs to report a record's delivery.
struct RecordAccumulator<Records: BatchRecords, Token> {
    struct Settings: Sendable {
        var batchSize: Int
        var linger: Duration
        var maxInFlight: Int
        var retryBackoff: Duration
        var maxAttempts: Int
        /// How long after its first record a batch may still be retried.
        var deliveryTimeout: Duration = .seconds(120)
        /// Upper bound of the doubling retry backoff.
        var retryBackoffMax: Duration = .seconds(1)
    }

    /// Records for one partition, sent together in one record batch.
    struct Batch {
        var partition: TopicPartition
        var records: Records
        var tokens: [Token] = []
        var bytes = 0
        var createdAt: ContinuousClock.Instant
        /// Assigned when first sent; kept across retries.
        var baseSequence: Int32?
        var attempts = 0
        /// Which producer id (generation) `baseSequence` belongs to.
        var generation = 0
    }

    struct PartitionQueue {
        var open: Batch?
        var ready: Deque<Batch> = []
        var sequencer: PartitionSequencer
        var notBefore: ContinuousClock.Instant?
    }

    let settings: Settings
    private(set) var queues: [TopicPartition: PartitionQueue] = [:]
    private(set) var generation = 0
    private(set) var inFlightCount = 0
    private(set) var queuedRecords = 0
    /// The broker forgot this producer (UNKNOWN_PRODUCER_ID, or a sequence gap that cannot
    /// heal): a new producer id is needed before the queued batches go out again.
    private(set) var needsNewProducerID = false

    init(settings: Settings) {
        self.settings = settings
    }

    /// Nothing open, queued or in flight: a flush is complete.
    var isIdle: Bool { queuedRecords == 0 && inFlightCount == 0 }

    /// Adds one record; returns true when it closed a batch of the partition (sticky partitioning
    /// then moves on to another partition).
    @discardableResult
    mutating func append(_ record: Records.Element, size: Int, token: Token, to partition: TopicPartition, now: ContinuousClock.Instant) -> Bool {
        var sealed = false
        queuedRecords += 1
        let batchSize = settings.batchSize
        Self.modify(&queues, partition, maxInFlight: settings.maxInFlight) { queue in
            // A record that would take the batch past its size starts the next one, so a batch
            // stays within a broker's message limit when batchSize does (Kafka's is 1 MiB + 12 B).
            if let bytes = queue.open?.bytes, bytes > 0, bytes + size > batchSize {
                queue.ready.append(queue.open.take()!)
                sealed = true
            }
            if queue.open == nil {
                queue.open = Batch(partition: partition, records: Records(expectedBytes: batchSize), createdAt: now)
                queue.open!.tokens.reserveCapacity(64)
            }
            queue.open!.records.append(record)
            queue.open!.tokens.append(token)
            queue.open!.bytes += size
            if queue.open!.bytes >= batchSize {
                queue.ready.append(queue.open.take()!)
                sealed = true
            }
        }
        return sealed
    }

    /// Takes the batches that should be sent now, assigning sequence numbers to first attempts.
    /// `flushing` sends open batches without waiting for linger. `prepare` sees each batch once
    /// its sequence is known, while the accumulator holds its only copy (so it can write in place).
    mutating func drain(now: ContinuousClock.Instant, flushing: Bool, isRoutable: (TopicPartition) -> Bool,
                        prepare: (inout Batch) -> Void = { _ in }) -> [Batch] {
        var out: [Batch] = []
        guard !needsNewProducerID else { return out }
        let linger = settings.linger
        let generation = self.generation
        var sentRecords = 0
        for key in Array(queues.keys) {
            guard isRoutable(key) else { continue }
            Self.modify(&queues, key, maxInFlight: settings.maxInFlight) { queue in
                if let notBefore = queue.notBefore, now < notBefore { return }
                queue.notBefore = nil
                if let open = queue.open, flushing || now - open.createdAt >= linger {
                    queue.ready.append(open)
                    queue.open = nil
                }
                while queue.sequencer.canSend, var batch = queue.ready.popFirst() {
                    if batch.baseSequence == nil || batch.generation != generation {
                        batch.baseSequence = queue.sequencer.assignSequence(recordCount: batch.records.count)
                        batch.generation = generation
                    }
                    batch.attempts += 1
                    prepare(&batch)
                    queue.sequencer.sent(baseSequence: batch.baseSequence!)
                    sentRecords += batch.records.count
                    out.append(batch)
                }
            }
        }
        queuedRecords -= sentRecords
        inFlightCount += out.count
        return out
    }

    /// When the sender should look again: the earliest linger expiry or retry backoff end.
    func nextDeadline() -> ContinuousClock.Instant? {
        var earliest: ContinuousClock.Instant?
        for queue in queues.values {
            var candidate: ContinuousClock.Instant?
            // A partition waiting only for in-flight answers needs no timer: answers wake the sender.
            if let open = queue.open, queue.sequencer.canSend { candidate = open.createdAt + settings.linger }
            if !queue.ready.isEmpty, queue.sequencer.canSend { candidate = queue.notBefore ?? .now }
            if let notBefore = queue.notBefore, candidate != nil { candidate = max(candidate!, notBefore) }
            if let c = candidate, earliest == nil || c < earliest! { earliest = c }
        }
        return earliest
    }

    /// The broker answered for `batch` (error code 0 for success). Returns the verdict; a batch to
    /// retry is queued again in sequence order, or failed once it ran out of attempts.
    mutating func answered(_ batch: Batch, errorCode: Int16, retriable: Bool, now: ContinuousClock.Instant) -> PartitionSequencer.Verdict {
        inFlightCount -= 1
        var verdict = PartitionSequencer.Verdict.fail
        let generation = self.generation
        let settings = self.settings
        // Doubling pauses: a broker that is restarting gets seconds, not a burst of retries.
        let backoff = RetryPolicy(initialBackoff: settings.retryBackoff, maxBackoff: max(settings.retryBackoffMax, settings.retryBackoff))
            .backoff(afterAttempt: batch.attempts)
        Self.modify(&queues, batch.partition, maxInFlight: settings.maxInFlight) { queue in
            if batch.generation != generation {
                // Sent under an older producer id; its sequence is meaningless now.
                let code = KafkaErrorCode(rawValue: errorCode)
                verdict = errorCode == 0 ? .completed
                    : (retriable || code == .outOfOrderSequenceNumber || code == .unknownProducerId ? .retry : .fail)
            } else {
                verdict = queue.sequencer.answered(baseSequence: batch.baseSequence!, errorCode: errorCode, retriable: retriable)
            }
            if verdict == .retryWithNewProducerID {
                needsNewProducerID = true
                verdict = .retry
            }
            if verdict == .retry && (batch.attempts >= settings.maxAttempts || now - batch.createdAt >= settings.deliveryTimeout) {
                verdict = .fail
            }
            if verdict == .retry {
                let index = queue.ready.firstIndex {
                    $0.baseSequence == nil || $0.generation != batch.generation || $0.baseSequence! > batch.baseSequence!
                } ?? queue.ready.endIndex
                queue.ready.insert(batch, at: index)
                queue.notBefore = now + backoff
            }
        }
        if verdict == .retry { queuedRecords += batch.records.count }
        return verdict
    }

    /// A new producer id: sequences restart at 0 for every batch not yet written.
    mutating func startNewGeneration() {
        generation += 1
        needsNewProducerID = false
        for key in Array(queues.keys) {
            queues[key]!.sequencer.reset()
        }
    }

    /// Removes the queued (not in-flight) batches older than the delivery timeout, e.g. for a
    /// partition without a leader or a producer the broker will not take; returns them to be failed.
    mutating func expire(now: ContinuousClock.Instant) -> [Batch] {
        let timeout = settings.deliveryTimeout
        var out: [Batch] = []
        for (key, queue) in queues {
            // Queued batches stay in the order they were made (a retry goes back before the
            // younger ones), so while the oldest is fresh nothing is due: no walk over them all.
            guard let oldest = queue.ready.first?.createdAt ?? queue.open?.createdAt, now - oldest >= timeout else { continue }
            Self.modify(&queues, key, maxInFlight: settings.maxInFlight) { queue in
                out.append(contentsOf: queue.ready.filter { now - $0.createdAt >= timeout })
                queue.ready.removeAll { now - $0.createdAt >= timeout }
                if let open = queue.open, now - open.createdAt >= timeout {
                    out.append(open)
                    queue.open = nil
                }
            }
        }
        queuedRecords -= out.reduce(0) { $0 + $1.records.count }
        return out
    }

    /// Removes every queued (not in-flight) batch, e.g. on close; returns them to be failed.
    mutating func removeQueued() -> [Batch] {
        var out: [Batch] = []
        for key in Array(queues.keys) {
            Self.modify(&queues, key, maxInFlight: settings.maxInFlight) { queue in
                out.append(contentsOf: queue.ready)
                queue.ready.removeAll()
                if let open = queue.open.take() { out.append(open) }
            }
        }
        queuedRecords = 0
        return out
    }

    private static func modify(_ queues: inout [TopicPartition: PartitionQueue], _ key: TopicPartition, maxInFlight: Int, _ change: (inout PartitionQueue) -> Void) {
        change(&queues[key, default: PartitionQueue(sequencer: PartitionSequencer(maxInFlight: maxInFlight))])
    }
}

extension RecordAccumulator.Batch: Sendable where Records: Sendable, Token: Sendable {}

/// What a batch keeps of its records as they are appended.
protocol BatchRecords {
    associatedtype Element
    /// Empty, with room for about `expectedBytes` (the batch size).
    init(expectedBytes: Int)
    var count: Int { get }
    mutating func append(_ element: Element)
}

extension Array: BatchRecords {
    init(expectedBytes: Int) {
        self.init()
    }
}
