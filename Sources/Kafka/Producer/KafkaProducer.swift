import KafkaProtocol
import Retry
import NIOCore
import ServiceLifecycle
import Synchronization

/// Produces records: partitions them (murmur2 by key, sticky without), batches them per
/// partition, sends batches to partition leaders in pipelined Produce requests, and retries
/// retriable failures in order. Idempotent by default.
///
/// `send` takes one lock per call, not per record, and never hops actors per record; `run()`
/// does the network work.
///
/// A `Service`: nothing goes out until `run()` runs (in a `ServiceGroup`, or by hand). Records
/// sent before it starts wait for it, at most their delivery timeout; once it has returned, sends
/// fail with `KafkaError.shutDown`.
public final class KafkaProducer: Service, Sendable {
    typealias State = ProducerState<DeliveryToken, CheckedContinuation<Void, Never>>

    /// The cluster this producer sends to.
    public let cluster: KafkaCluster
    public let settings: ProducerSettings
    private let state: Mutex<State>
    private let wakeup = Wakeup()
    private let phase = Mutex(Phase.notStarted)

    private enum Phase {
        case notStarted, running, ended
    }

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
        self.state = Mutex(State(settings: settings))
        _ = try await cluster.anyConnection()
        if settings.idempotent { try await initProducerID() }
    }

    /// Sends what is queued until the service group shuts down gracefully; then refuses new
    /// records, delivers what was queued (retrying until each record's delivery timeout) and
    /// returns. Cancelled, it stops sending and fails every record still pending with
    /// `KafkaError.shutDown`. Closes the connections before returning. Runs once.
    public func run() async throws {
        let first = phase.withLock { phase in
            defer { if phase == .notStarted { phase = .running } }
            return phase == .notStarted
        }
        guard first else { throw KafkaError.configuration("a producer runs once — create another KafkaProducer") }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await runSender()
            } onGracefulShutdown: {
                self.state.withLock { $0.stopAccepting() }
                self.wakeup.signal()
            }
        } onCancel: {
            self.wakeup.signal()
        }
        abandonPending()
        phase.withLock { $0 = .ended }
        await cluster.shutdown()
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
        // Partition counts for topics not seen yet (one metadata lookup per new topic).
        var topics: [String] = []
        for record in records where topics.last != record.topic && !topics.contains(record.topic) { topics.append(record.topic) }
        let candidates = topics
        var lookupFailures: [String: KafkaError] = [:]
        for topic in state.withLock({ $0.unknownTopics(candidates) }) {
            do {
                let metadata = try await cluster.topic(topic, wait: settings.topicWait)
                let snapshot = try await cluster.currentMetadata()
                state.withLock { $0.learned(topic: topic, partitionCount: metadata.partitions.count, metadata: snapshot) }
            } catch {
                lookupFailures[topic] = error as? KafkaError ?? .malformedResponse("\(error)")
            }
        }
        let group = DeliveryGroup(count: records.count)
        let now = ContinuousClock.now
        let timestamp = WallClock.milliseconds()
        let refused = state.withLock { state in
            state.enqueue(records, lookupFailures: lookupFailures, now: now, timestamp: timestamp) { DeliveryToken(group: group, index: $0) }
        }
        for (index, error) in refused {
            group.resolve(CollectionOfOne(index)) { _ in .failure(error) }
        }
        wakeup.signal()
        guard phase.withLock({ $0 == .notStarted }) else { return await group.wait() }
        // No sender yet: the delivery timeout still bounds the wait for `run()`.
        return await withDeadline(.now + settings.deliveryTimeout, onExpiry: { [self] in expireDue() }) { await group.wait() }
    }

    /// Sends everything queued now and waits until every record has an outcome.
    public func flush() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if state.withLock({ $0.flush(continuation) }) { wakeup.signal() } else { continuation.resume() }
        }
    }

    /// Records accepted but not yet sent: what a graceful stop still delivers.
    var queuedRecords: Int { state.withLock { $0.accumulator.queuedRecords } }

    /// Closes, and fails what was never delivered: nothing is left when the group shut down
    /// gracefully, everything still pending when `run()` was cancelled.
    private func abandonPending() {
        let (unsent, waiters) = state.withLock { $0.abandon() }
        for batch in unsent { DeliveryToken.resolve(batch.tokens) { _ in .failure(.shutDown) } }
        for waiter in waiters { waiter.resume() }
    }

    /// Fails the batches past their delivery timeout and lets go the flush waiters that may go on.
    private func expireDue() {
        let (expired, waiters) = state.withLock { $0.expire(now: .now) }
        for batch in expired {
            DeliveryToken.resolve(batch.tokens) { _ in .failure(.deliveryTimedOut(batch.partition, after: settings.deliveryTimeout)) }
        }
        for waiter in waiters { waiter.resume() }
    }

    // MARK: - Sender

    private func initProducerID() async throws {
        var attempt = 0
        while true {
            attempt += 1
            let connection = try await cluster.anyConnection()
            let response = try await connection.send(InitProducerIdRequest(transactionalId: nil, transactionTimeoutMs: 60_000))
            if KafkaErrorCode(rawValue: response.errorCode) == .none {
                state.withLock { $0.identified(as: .init(id: response.producerId, epoch: response.producerEpoch)) }
                return
            }
            let code = KafkaErrorCode(rawValue: response.errorCode)
            let retry = RetryPolicy(maxAttempts: 10, initialBackoff: settings.retryBackoff, maxBackoff: settings.retryBackoffMax)
            if !code.isRetriable || !retry.allowsRetry(afterAttempt: attempt) {
                throw KafkaError.broker(code: code.rawValue, name: code.name, message: nil, context: "InitProducerId (idempotent producer)", retriable: code.isRetriable)
            }
            try await Task.sleep(for: retry.randomDelay(afterAttempt: attempt))
        }
    }

    /// Sends rounds until closed and idle, or until cancelled; each request is a child task.
    private func runSender() async {
        await withTaskGroup(of: Void.self) { requests in
            var lastRefresh = ContinuousClock.now
            while !Task.isCancelled {
                if state.withLock({ $0.needsNewProducerID }) {
                    do {
                        try await initProducerID()
                    } catch {
                        state.withLock { $0.metadataIsStale() }
                        try? await Task.sleep(for: settings.retryBackoffMax)
                        continue
                    }
                }
                // Periodic refresh picks up new partitions and moved leaders without an error first.
                if state.withLock({ $0.needsMetadata }) || ContinuousClock.now - lastRefresh >= cluster.configuration.metadataMaxAge {
                    lastRefresh = .now
                    await cluster.invalidateMetadata()
                    if let metadata = try? await cluster.currentMetadata() {
                        state.withLock { $0.refreshed(metadata) }
                    } else {
                        try? await Task.sleep(for: settings.retryBackoff)
                    }
                }
                expireDue()
                let now = ContinuousClock.now
                let round = state.withLock { $0.nextRound(now: now) }
                if round.isFinished { break }
                if round.requests.isEmpty {
                    await wakeup.wait(until: round.deadline)
                    continue
                }
                for request in round.requests {
                    requests.addTask { await self.produce(request.batches, to: request.leader) }
                }
            }
            await requests.waitForAll()
        }
    }

    /// One Produce request carrying each partition's sealed batch; the broker waits up to
    /// `timeout` for the acknowledgements.
    static func produceRequest(_ batches: [(TopicPartition, ByteBuffer)], acks: Acks, timeout: Duration) -> ProduceRequest {
        let topics = Dictionary(grouping: batches, by: { $0.0.topic }).map { topic, items in
            ProduceRequest.TopicProduceData(name: topic, partitionData: items.map { .init(index: $0.0.partition, records: $0.1) })
        }
        return ProduceRequest(transactionalId: nil, acks: acks.rawValue, timeoutMs: timeout.wholeMilliseconds(as: Int32.self), topicData: topics)
    }

    /// Sends `batches` (sealed for this attempt) in one Produce request to broker `leader`, and settles each.
    private func produce(_ batches: [State.Batch], to leader: Int32) async {
        var encoded: [(State.Batch, ByteBuffer)] = []
        for batch in batches {
            switch batch.records.sealed {
            case .success(let bytes)?:
                encoded.append((batch, bytes))
            case .failure(let error)?:
                settle(batch, errorCode: Self.noBrokerCode, retriable: false, baseOffset: -1, error: .configuration("cannot encode a record batch: \(error)"))
            case nil:
                preconditionFailure("a batch goes out sealed")
            }
        }
        guard !encoded.isEmpty else { return }
        let request = Self.produceRequest(encoded.map { ($0.0.partition, $0.1) }, acks: settings.acks, timeout: cluster.configuration.requestTimeout)
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
            let leaderAddress = state.withLock { state in
                state.metadataIsStale()
                return state.metadata.brokers[leader]?.address
            }
            let kafkaError = error as? KafkaError ?? .connectionClosed(leaderAddress ?? cluster.configuration.bootstrapServers[0])
            for (batch, _) in encoded {
                settle(batch, errorCode: Self.noBrokerCode, retriable: kafkaError.isRetriable || kafkaError.isUnreachable, baseOffset: -1, error: kafkaError)
            }
        }
    }

    /// The code a batch settles with when it failed before the broker answered for it.
    private static let noBrokerCode = KafkaErrorCode.unknownServerError.rawValue

    private static func error(for code: KafkaErrorCode, message: String?, partition: TopicPartition, batch: State.Batch) -> KafkaError {
        switch code {
        case .messageTooLarge: return .messageTooLarge(size: batch.bytes, limit: nil)
        case .unknownTopicOrPartition: return .unknownTopic(partition.topic)
        default: return .broker(code: code.rawValue, name: code.name, message: message, context: "producing to \(partition)", retriable: code.isRetriable)
        }
    }

    /// Applies the broker's verdict for one batch and reports its records.
    private func settle(_ batch: State.Batch, errorCode: Int16, retriable: Bool, baseOffset: Int64, error: KafkaError?) {
        let (verdict, waiters) = state.withLock { $0.answered(batch, errorCode: errorCode, retriable: retriable, now: .now) }
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
