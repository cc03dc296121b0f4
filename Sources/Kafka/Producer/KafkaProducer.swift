import KafkaProtocol
import NIOCore
import Synchronization

/// Produces records: partitions them (murmur2 by key, sticky without), batches them per
/// partition, sends batches to partition leaders in pipelined Produce requests, and retries
/// retriable failures in order. Idempotent by default.
///
/// `send` takes one lock per call, not per record, and never hops actors per record; one
/// sender task does the network work.
public final class KafkaProducer: Sendable {
    typealias Accumulator = RecordAccumulator<ProducerRecord, DeliveryToken>

    struct State {
        var accumulator: Accumulator
        var sticky = StickyPartitioner()
        var partitionCounts: [String: Int] = [:]
        var metadata = ClusterMetadata()
        var flushRequests = 0
        var flushWaiters: [CheckedContinuation<Void, Never>] = []
        var producerID: Int64 = -1
        var producerEpoch: Int16 = -1
        var isClosed = false
        var needsMetadata = false
    }

    /// The cluster this producer sends to.
    public let cluster: KafkaCluster
    public let settings: ProducerSettings
    private let state: Mutex<State>
    private let wakeup = Wakeup()
    private let senderTask: Mutex<Task<Void, Never>?> = Mutex(nil)

    /// A producer for the cluster described by `configuration`; connects and, when idempotent,
    /// obtains a producer id before returning.
    public convenience init(configuration: KafkaConfiguration, settings: ProducerSettings = ProducerSettings()) async throws {
        try await self.init(cluster: KafkaCluster(configuration: configuration), settings: settings)
    }

    /// A producer sharing `cluster` with other clients.
    public init(cluster: KafkaCluster, settings: ProducerSettings = ProducerSettings()) async throws {
        var settings = settings
        if settings.acks != .all { settings.idempotent = false }
        if settings.idempotent { settings.maxInFlightPerPartition = min(settings.maxInFlightPerPartition, 5) }
        self.cluster = cluster
        self.settings = settings
        self.state = Mutex(State(accumulator: Accumulator(settings: .init(
            batchSize: settings.batchSize, linger: settings.linger,
            maxInFlight: settings.idempotent ? settings.maxInFlightPerPartition : max(1, settings.maxInFlightPerPartition),
            retryBackoff: settings.retryBackoff, maxAttempts: settings.maxAttempts,
            deliveryTimeout: settings.deliveryTimeout, retryBackoffMax: settings.retryBackoffMax))))
        _ = try await cluster.anyConnection()
        if settings.idempotent { try await initProducerID() }
        let task = Task { [self] in await runSender() }
        senderTask.withLock { $0 = task }
    }

    /// Sends one record; returns where it was written once the broker acknowledged it.
    public func send(_ record: ProducerRecord) async throws -> RecordMetadata {
        try await send(contentsOf: [record])[0].get()
    }

    /// Sends one record to `topic`.
    public func send(topic: String, key: ByteBuffer? = nil, value: ByteBuffer?, headers: [KafkaHeader] = [], partition: Int32? = nil) async throws -> RecordMetadata {
        try await send(ProducerRecord(topic: topic, key: key, value: value, headers: headers, partition: partition))
    }

    /// Sends many records at once (the fast path); returns each record's outcome, in order.
    public func send(contentsOf records: [ProducerRecord]) async -> [Result<RecordMetadata, KafkaError>] {
        guard !records.isEmpty else { return [] }
        let group = DeliveryGroup(count: records.count)
        // Partition counts for topics not seen yet (one metadata lookup per new topic).
        var failedTopics: [String: KafkaError] = [:]
        var topics: [String] = []
        for record in records where topics.last != record.topic && !topics.contains(record.topic) { topics.append(record.topic) }
        let candidates = topics
        let unknown = state.withLock { state in candidates.filter { state.partitionCounts[$0] == nil } }
        for topic in unknown {
            do {
                let metadata = try await cluster.topic(topic, wait: settings.topicWait)
                let snapshot = try await cluster.currentMetadata()
                state.withLock { state in
                    state.partitionCounts[topic] = metadata.partitions.count
                    state.metadata = snapshot
                }
            } catch {
                failedTopics[topic] = error as? KafkaError ?? .malformedResponse("\(error)")
            }
        }
        let now = ContinuousClock.now
        let timestamp = WallClock.milliseconds()
        var rejected: [(Int, KafkaError)] = []
        state.withLock { state in
            if state.isClosed {
                for i in records.indices { rejected.append((i, .shutDown)) }
                return
            }
            for (index, var record) in records.enumerated() {
                if let error = failedTopics[record.topic] {
                    rejected.append((index, error))
                    continue
                }
                let size = record.estimatedSize
                if size > settings.maxRecordSize {
                    rejected.append((index, .messageTooLarge(size: size, limit: settings.maxRecordSize)))
                    continue
                }
                let count = state.partitionCounts[record.topic]!
                let partition: Int32
                if let explicit = record.partition {
                    guard explicit >= 0, Int(explicit) < count else {
                        rejected.append((index, .configuration("partition \(explicit) does not exist in topic '\(record.topic)' (it has \(count))")))
                        continue
                    }
                    partition = explicit
                } else if let key = record.key {
                    partition = key.withUnsafeReadableBytes { Murmur2Partitioner.partition(forKey: $0, partitionCount: count) }
                } else {
                    partition = state.sticky.partition(topic: record.topic, partitionCount: count)
                }
                if record.timestamp == nil { record.timestamp = timestamp }
                let tp = TopicPartition(topic: record.topic, partition: partition)
                let sealed = state.accumulator.append(record, size: size, token: DeliveryToken(group: group, index: index), to: tp, now: now)
                if sealed && record.key == nil && record.partition == nil {
                    state.sticky.batchCompleted(topic: record.topic, partition: partition, partitionCount: count)
                }
            }
        }
        for (index, error) in rejected {
            group.resolve(CollectionOfOne(index)) { _ in .failure(error) }
        }
        wakeup.signal()
        return await group.wait()
    }

    /// Sends everything queued now and waits until every record has an outcome.
    public func flush() async throws {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state in
                if state.accumulator.isIdle { return true }
                state.flushRequests += 1
                state.flushWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() } else { wakeup.signal() }
        }
    }

    /// Flushes, stops the sender and closes the connections.
    public func shutdown() async {
        try? await flush()
        let queued = state.withLock { state in
            state.isClosed = true
            return state.accumulator.removeQueued()
        }
        for batch in queued { DeliveryToken.resolve(batch.tokens) { _ in .failure(.shutDown) } }
        wakeup.signal()
        let task = senderTask.withLock { $0 }
        await task?.value
        await cluster.shutdown()
    }

    // MARK: - Sender

    private func initProducerID() async throws {
        var attempt = 0
        while true {
            attempt += 1
            let connection = try await cluster.anyConnection()
            let response = try await connection.send(InitProducerIdRequest(transactionalId: nil, transactionTimeoutMs: 60_000))
            if KafkaErrorCode(rawValue: response.errorCode) == .none {
                state.withLock { state in
                    state.producerID = response.producerId
                    state.producerEpoch = response.producerEpoch
                    state.accumulator.startNewGeneration()
                }
                return
            }
            let code = KafkaErrorCode(rawValue: response.errorCode)
            if !code.isRetriable || attempt >= 10 {
                throw KafkaError.broker(code: code.rawValue, name: code.name, message: nil, context: "InitProducerId (idempotent producer)", retriable: code.isRetriable)
            }
            try await Task.sleep(for: settings.retryBackoff)
        }
    }

    private func runSender() async {
        await withTaskGroup(of: Void.self) { requests in
            var lastRefresh = ContinuousClock.now
            while true {
                if state.withLock({ $0.accumulator.needsNewProducerID && !$0.isClosed }) {
                    // Nothing goes out until the broker knows this producer again.
                    do {
                        try await initProducerID()
                    } catch {
                        state.withLock { $0.needsMetadata = true }
                        try? await Task.sleep(for: settings.retryBackoffMax)
                        continue
                    }
                }
                // Periodic refresh picks up new partitions and moved leaders without an error first.
                let refreshDue = ContinuousClock.now - lastRefresh >= cluster.configuration.metadataMaxAge
                let needsMetadata = state.withLock { $0.needsMetadata } || refreshDue
                if needsMetadata { lastRefresh = .now }
                if needsMetadata {
                    await cluster.invalidateMetadata()
                    if let metadata = try? await cluster.currentMetadata() {
                        state.withLock { state in
                            state.metadata = metadata
                            state.needsMetadata = false
                            for (name, topic) in metadata.topics where state.partitionCounts[name] != nil {
                                state.partitionCounts[name] = topic.partitions.count
                            }
                        }
                    } else {
                        try? await Task.sleep(for: settings.retryBackoff)
                    }
                }
                let now = ContinuousClock.now
                let expired = state.withLock { $0.accumulator.expire(now: now) }
                for batch in expired {
                    DeliveryToken.resolve(batch.tokens) { _ in .failure(.deliveryTimedOut(batch.partition, after: settings.deliveryTimeout)) }
                }
                if !expired.isEmpty { resumeFlushWaitersIfIdle() }
                let (batches, deadline, closed, metadata, producer) = state.withLock { state in
                    let flushing = state.flushRequests > 0 || state.isClosed
                    let metadata = state.metadata
                    let batches = state.accumulator.drain(now: now, flushing: flushing) { metadata.leader(topic: $0.topic, partition: $0.partition) != nil }
                    if !state.accumulator.queues.isEmpty, state.accumulator.queuedRecords > 0, batches.isEmpty,
                       state.accumulator.queues.keys.contains(where: { metadata.leader(topic: $0.topic, partition: $0.partition) == nil }) {
                        state.needsMetadata = true
                    }
                    return (batches, state.accumulator.nextDeadline(), state.isClosed && state.accumulator.isIdle,
                            metadata, (state.producerID, state.producerEpoch))
                }
                if closed { break }
                if !batches.isEmpty {
                    var byLeader: [Int32: [Accumulator.Batch]] = [:]
                    for batch in batches {
                        let leader = metadata.leader(topic: batch.partition.topic, partition: batch.partition.partition)!.nodeID
                        byLeader[leader, default: []].append(batch)
                    }
                    for (leader, batches) in byLeader {
                        for group in splitByRequestSize(batches) {
                            requests.addTask { await self.produce(group, to: leader, producer: producer) }
                        }
                    }
                    continue
                }
                await wakeup.wait(until: deadline)
            }
            await requests.waitForAll()
        }
    }

    private func splitByRequestSize(_ batches: [Accumulator.Batch]) -> [[Accumulator.Batch]] {
        var groups: [[Accumulator.Batch]] = [[]]
        var size = 0
        for batch in batches {
            if size + batch.bytes > settings.maxRequestSize, !groups[groups.count - 1].isEmpty {
                groups.append([])
                size = 0
            }
            groups[groups.count - 1].append(batch)
            size += batch.bytes
        }
        return groups
    }

    /// Encodes `batches`, sends them in one Produce request to broker `leader`, and settles each.
    private func produce(_ batches: [Accumulator.Batch], to leader: Int32, producer: (id: Int64, epoch: Int16)) async {
        var encoded: [(Accumulator.Batch, ByteBuffer)] = []
        for batch in batches {
            var encoder = RecordBatchEncoder(
                compression: settings.compression,
                producerId: settings.idempotent ? producer.id : -1,
                producerEpoch: settings.idempotent ? producer.epoch : -1,
                baseSequence: settings.idempotent ? batch.baseSequence! : -1,
                initialCapacity: batch.bytes + 128)
            for record in batch.records {
                encoder.append(key: record.key, value: record.value, headers: record.headers, timestamp: record.timestamp ?? 0)
            }
            do {
                encoded.append((batch, try encoder.encode()))
            } catch {
                settle(batch, errorCode: Self.noBrokerCode, retriable: false, baseOffset: -1, error: .configuration("cannot encode a record batch: \(error)"))
            }
        }
        guard !encoded.isEmpty else { return }
        let topics = Dictionary(grouping: encoded, by: { $0.0.partition.topic }).map { topic, items in
            ProduceRequest.TopicProduceData(name: topic, partitionData: items.map { .init(index: $0.0.partition.partition, records: $0.1) })
        }
        let timeoutMs = Int32(clamping: cluster.configuration.requestTimeout.components.seconds * 1000)
        let request = ProduceRequest(transactionalId: nil, acks: settings.acks.rawValue, timeoutMs: timeoutMs, topicData: topics)
        do {
            let connection = try await cluster.connection(to: leader)
            if settings.acks == .none {
                try await connection.sendWithoutResponse(request)
                for (batch, _) in encoded { settle(batch, errorCode: KafkaErrorCode.none.rawValue, retriable: false, baseOffset: -1, error: nil) }
                return
            }
            let response = try await connection.send(request)
            var answers: [TopicPartition: ProduceResponse.PartitionProduceResponse] = [:]
            for topic in response.responses {
                for p in topic.partitionResponses { answers[TopicPartition(topic: topic.name, partition: p.index)] = p }
            }
            for (batch, _) in encoded {
                guard let answer = answers[batch.partition] else {
                    settle(batch, errorCode: Self.noBrokerCode, retriable: true, baseOffset: -1, error: .malformedResponse("no answer for \(batch.partition)"))
                    continue
                }
                let code = KafkaErrorCode(rawValue: answer.errorCode)
                // A duplicate sequence number means an earlier attempt was written: success.
                let error: KafkaError? = code == .none || code == .duplicateSequenceNumber ? nil : Self.error(for: code, message: answer.errorMessage, partition: batch.partition, batch: batch)
                settle(batch, errorCode: answer.errorCode, retriable: code.isRetriable, baseOffset: answer.baseOffset, error: error)
            }
        } catch {
            let kafkaError = error as? KafkaError ?? .connectionClosed(cluster.configuration.bootstrapServers[0])
            state.withLock { $0.needsMetadata = true }
            for (batch, _) in encoded {
                settle(batch, errorCode: Self.noBrokerCode, retriable: kafkaError.isRetriable || kafkaError.isUnreachable, baseOffset: -1, error: kafkaError)
            }
        }
    }

    /// The code a batch settles with when it failed before the broker answered for it.
    private static let noBrokerCode = KafkaErrorCode.unknownServerError.rawValue

    private static func error(for code: KafkaErrorCode, message: String?, partition: TopicPartition, batch: Accumulator.Batch) -> KafkaError {
        switch code {
        case .messageTooLarge: return .messageTooLarge(size: batch.bytes, limit: -1)
        case .unknownTopicOrPartition: return .unknownTopic(partition.topic)
        default: return .broker(code: code.rawValue, name: code.name, message: message, context: "producing to \(partition)", retriable: code.isRetriable)
        }
    }

    private func resumeFlushWaitersIfIdle() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard state.accumulator.isIdle else { return [] }
            defer {
                state.flushWaiters.removeAll()
                state.flushRequests = 0
            }
            return state.flushWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Applies the broker's verdict for one batch and reports its records.
    private func settle(_ batch: Accumulator.Batch, errorCode: Int16, retriable: Bool, baseOffset: Int64, error: KafkaError?) {
        let (verdict, waiters) = state.withLock { state in
            let verdict = state.accumulator.answered(batch, errorCode: errorCode, retriable: retriable, now: .now)
            if KafkaErrorCode(rawValue: errorCode) != .none, MetadataRefreshPolicy.invalidatesMetadata(errorCode) { state.needsMetadata = true }
            var waiters: [CheckedContinuation<Void, Never>] = []
            if state.accumulator.isIdle {
                waiters = state.flushWaiters
                state.flushWaiters.removeAll()
                state.flushRequests = 0
            }
            return (verdict, waiters)
        }
        switch verdict {
        case .completed:
            let topic = batch.partition.topic
            let partition = batch.partition.partition
            DeliveryToken.resolve(batch.tokens) { n in
                .success(RecordMetadata(topic: topic, partition: partition, offset: baseOffset >= 0 ? baseOffset + Int64(n) : -1))
            }
        case .fail:
            let failure = error ?? .broker(code: errorCode, name: KafkaErrorCode(rawValue: errorCode).name, message: nil, context: "producing to \(batch.partition)", retriable: retriable)
            DeliveryToken.resolve(batch.tokens) { _ in .failure(failure) }
        case .retry, .retryWithNewProducerID:
            break
        }
        for waiter in waiters { waiter.resume() }
        wakeup.signal()
    }
}
