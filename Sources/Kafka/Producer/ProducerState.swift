import KafkaProtocol

/// The producer's decisions, without I/O: which partition each record takes, what goes out next
/// and to which leader, what a broker's answer means, and when flush waiters may go on.
/// `KafkaProducer` keeps one under its lock and does the talking. Generic over the delivery token
/// and the flush waiter so tests drive it with plain values.
struct ProducerState<Token, Waiter> {
    typealias Accumulator = RecordAccumulator<EncodedRecords, Token>
    typealias Batch = Accumulator.Batch

    /// One Produce request's worth of batches for one leader.
    struct Request {
        var leader: Int32
        var batches: [Batch]
    }

    /// What the sender does next.
    struct Round {
        var requests: [Request]
        /// When something queued becomes due (linger, backoff, delivery timeout).
        var deadline: ContinuousClock.Instant?
        /// Closed, and every record has its outcome: the sender may stop.
        var isFinished: Bool
    }

    struct ProducerIdentity: Equatable, Sendable {
        var id: Int64 = -1
        var epoch: Int16 = -1
    }

    private(set) var accumulator: Accumulator
    private(set) var metadata = ClusterMetadata()
    private(set) var producer = ProducerIdentity()
    private(set) var isClosed = false
    /// The cluster's layout must be looked up again before the next round (a leader moved or is unknown).
    private(set) var needsMetadata = false
    private var partitionCounts: [String: Int] = [:]
    private var sticky = StickyPartitioner()
    private var flushRequests = 0
    private var flushWaiters: [Waiter] = []
    private let maxRecordSize: Int
    private let maxRequestSize: Int
    private let compression: CompressionCodec
    private let idempotent: Bool

    init(settings: ProducerSettings) {
        accumulator = Accumulator(settings: .init(
            batchSize: settings.batchSize, linger: settings.linger,
            maxInFlight: settings.idempotent ? settings.maxInFlightPerPartition : max(1, settings.maxInFlightPerPartition),
            retryBackoff: settings.retryBackoff, maxAttempts: settings.maxAttempts,
            deliveryTimeout: settings.deliveryTimeout, retryBackoffMax: settings.retryBackoffMax))
        maxRecordSize = settings.maxRecordSize
        maxRequestSize = settings.maxRequestSize
        compression = settings.compression
        idempotent = settings.idempotent
    }

    /// Nothing goes out until the broker knows this producer again.
    /// Records still queued after `stopAccepting` need one to go out; abandoned ones do not.
    var needsNewProducerID: Bool { accumulator.needsNewProducerID && !(isClosed && accumulator.queuedRecords == 0) }

    /// The topics among `topics` whose partition count is not known yet.
    func unknownTopics(_ topics: [String]) -> [String] {
        topics.filter { partitionCounts[$0] == nil }
    }

    mutating func learned(topic: String, partitionCount: Int, metadata: ClusterMetadata) {
        partitionCounts[topic] = partitionCount
        self.metadata = metadata
    }

    /// A fresh view of the cluster: leaders, and partition counts of the topics in use.
    mutating func refreshed(_ metadata: ClusterMetadata) {
        self.metadata = metadata
        needsMetadata = false
        for (name, topic) in metadata.topics where partitionCounts[name] != nil {
            partitionCounts[name] = topic.partitions.count
        }
    }

    mutating func metadataIsStale() {
        needsMetadata = true
    }

    mutating func identified(as producer: ProducerIdentity) {
        self.producer = producer
        accumulator.startNewGeneration()
    }

    /// Queues each record on its partition; returns the records refused, by index, with why.
    /// `lookupFailures` are topics whose partition count could not be learned.
    mutating func enqueue(_ records: [ProducerRecord], lookupFailures: [String: KafkaError], now: ContinuousClock.Instant,
                          timestamp: Int64, token: (Int) -> Token) -> [(index: Int, error: KafkaError)] {
        if isClosed { return records.indices.map { ($0, .shutDown) } }
        var refused: [(index: Int, error: KafkaError)] = []
        var known: (topic: String, partitionCount: Int)?  // records of one send mostly share a topic: one lookup
        for (index, var record) in records.enumerated() {
            if let error = lookupFailures[record.topic] {
                refused.append((index, error))
                continue
            }
            let size = record.estimatedSize
            guard size <= maxRecordSize else {
                refused.append((index, .messageTooLarge(size: size, limit: maxRecordSize)))
                continue
            }
            let count: Int
            if let known, known.topic == record.topic {
                count = known.partitionCount
            } else if let counted = partitionCounts[record.topic] {
                count = counted
                known = (record.topic, counted)
            } else {
                refused.append((index, .unknownTopic(record.topic)))
                continue
            }
            let partition: Int32
            if let explicit = record.partition {
                guard explicit >= 0, Int(explicit) < count else {
                    refused.append((index, .configuration("partition \(explicit) does not exist in topic '\(record.topic)' (it has \(count))")))
                    continue
                }
                partition = explicit
            } else if let key = record.key {
                partition = key.withUnsafeReadableBytes { Murmur2Partitioner.partition(forKey: $0, partitionCount: count) }
            } else {
                partition = sticky.partition(topic: record.topic, partitionCount: count)
            }
            if record.timestamp == nil { record.timestamp = timestamp }
            let sealed = accumulator.append(record, size: size, token: token(index), to: TopicPartition(topic: record.topic, partition: partition), now: now)
            if sealed && record.key == nil && record.partition == nil {
                sticky.batchCompleted(topic: record.topic, partition: partition, partitionCount: count)
            }
        }
        return refused
    }

    /// Asks for everything queued to go out now. `false` when nothing is outstanding: the waiter
    /// is not kept and may go on at once.
    mutating func flush(_ waiter: Waiter) -> Bool {
        if accumulator.isIdle { return false }
        flushRequests += 1
        flushWaiters.append(waiter)
        return true
    }

    /// Refuses new records from now on; what is queued still goes out, and the sender may stop
    /// once every record has its outcome.
    mutating func stopAccepting() {
        isClosed = true
    }

    /// Refuses new records from now on; returns the batches that never went out.
    mutating func close() -> [Batch] {
        isClosed = true
        return accumulator.removeQueued()
    }

    /// Closes and gives up on what is queued: returns those batches, and the flush waiters that
    /// may go on since nothing will be delivered any more.
    mutating func abandon() -> (unsent: [Batch], waiters: [Waiter]) {
        let unsent = close()
        defer {
            flushWaiters.removeAll()
            flushRequests = 0
        }
        return (unsent, flushWaiters)
    }

    /// The batches due now, sealed for this attempt and grouped into requests per leader of at most the request size.
    mutating func nextRound(now: ContinuousClock.Instant) -> Round {
        let (metadata, producer, compression, idempotent) = (metadata, producer, compression, idempotent)
        let batches = accumulator.drain(now: now, flushing: flushRequests > 0 || isClosed, isRoutable: {
            metadata.leader(topic: $0.topic, partition: $0.partition) != nil
        }, prepare: { batch in
            batch.records.seal(compression: compression, producerId: idempotent ? producer.id : -1,
                               producerEpoch: idempotent ? producer.epoch : -1, baseSequence: idempotent ? batch.baseSequence! : -1)
        })
        if batches.isEmpty, accumulator.queuedRecords > 0,
           accumulator.queues.keys.contains(where: { metadata.leader(topic: $0.topic, partition: $0.partition) == nil }) {
            needsMetadata = true
        }
        var byLeader: [Int32: [Batch]] = [:]
        for batch in batches {
            byLeader[metadata.leader(topic: batch.partition.topic, partition: batch.partition.partition)!.nodeID, default: []].append(batch)
        }
        let requests = byLeader.flatMap { leader, batches in
            splitByRequestSize(batches).map { Request(leader: leader, batches: $0) }
        }
        return Round(requests: requests, deadline: accumulator.nextDeadline(), isFinished: isClosed && accumulator.isIdle)
    }

    /// Batches past their delivery timeout, and the flush waiters that may go on now.
    mutating func expire(now: ContinuousClock.Instant) -> (expired: [Batch], waiters: [Waiter]) {
        let expired = accumulator.expire(now: now)
        return (expired, expired.isEmpty ? [] : releasedWaiters())
    }

    /// Applies the broker's verdict on one batch (`errorCode` is the broker's, or a stand-in when
    /// the request failed before an answer); returns it with the flush waiters that may go on now.
    mutating func answered(_ batch: Batch, errorCode: Int16, retriable: Bool, now: ContinuousClock.Instant)
        -> (verdict: PartitionSequencer.Verdict, waiters: [Waiter]) {
        let verdict = accumulator.answered(batch, errorCode: errorCode, retriable: retriable, now: now)
        if KafkaErrorCode(rawValue: errorCode) != .none, MetadataRefreshPolicy.invalidatesMetadata(errorCode) { needsMetadata = true }
        return (verdict, releasedWaiters())
    }

    private mutating func releasedWaiters() -> [Waiter] {
        guard accumulator.isIdle else { return [] }
        defer {
            flushWaiters.removeAll()
            flushRequests = 0
        }
        return flushWaiters
    }

    private func splitByRequestSize(_ batches: [Batch]) -> [[Batch]] {
        var groups: [[Batch]] = [[]]
        var size = 0
        for batch in batches {
            if size + batch.bytes > maxRequestSize, !groups[groups.count - 1].isEmpty {
                groups.append([])
                size = 0
            }
            groups[groups.count - 1].append(batch)
            size += batch.bytes
        }
        return groups
    }
}

extension ProducerState.Request: Sendable where Token: Sendable {}
