import KafkaProtocol
import Retry
import Logging
import ServiceLifecycle
import Synchronization

/// A member of a consumer group: subscribes to topics, reads the partitions the group assigns
/// it, and commits the offsets the caller says it has processed (never on its own).
///
/// A `Service`: `run()` keeps the membership (joins, heartbeats, rebalance callbacks) and sends
/// background commits; nothing joins the group until it runs.
public final class KafkaConsumer: Service, Sendable {
    /// The cluster this consumer reads from.
    public var cluster: KafkaCluster { fetcher.cluster }
    /// The group settings given at creation.
    public let group: ConsumerGroupSettings
    let fetcher: PartitionConsumer
    let gate = HandOutGate()
    private let membership = Mutex<GroupMembership?>(nil)
    private let logger: Logger
    private let backgroundCommits = BackgroundCommitQueue()
    private let subscriptions: AsyncStream<(GroupMembership, [String])>
    private let subscribing: AsyncStream<(GroupMembership, [String])>.Continuation
    private let hasRun = Mutex(false)

    /// A consumer for the cluster described by `configuration`, logging to `logger`; connects before returning.
    public init(configuration: KafkaConfiguration, group: ConsumerGroupSettings, settings: ConsumerSettings = ConsumerSettings(),
                logger: Logger = Logger(label: "userstream.kafka.consumer")) async throws {
        guard !group.groupID.isEmpty else { throw KafkaError.missingGroupID }
        guard !group.assignors.isEmpty else { throw KafkaError.configuration("no partition assignor given — use .range or .roundRobin") }
        guard group.heartbeatInterval < group.sessionTimeout else {
            throw KafkaError.configuration("the heartbeat interval (\(group.heartbeatInterval)) must be shorter than the session timeout (\(group.sessionTimeout))")
        }
        self.group = group
        self.logger = logger
        self.fetcher = try await PartitionConsumer(configuration: configuration, settings: settings)
        (subscriptions, subscribing) = AsyncStream.makeStream()
    }

    /// Takes part in the group once subscribed, until the service group shuts down; then
    /// finishes the background commits, revokes the assignment (calling the listener, after the
    /// loop over `batches()` has asked for its next batch, which ends it), leaves the group (a
    /// member that may be its leader lets its session expire instead), closes the connections
    /// and returns. Cancelled, it ends `batches()` and closes without leaving. Runs once.
    public func run() async throws {
        let first = hasRun.withLock { hasRun in
            defer { hasRun = true }
            return !hasRun
        }
        guard first else { throw KafkaError.configuration("a consumer runs once — create another KafkaConsumer") }
        let logger = self.logger
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                await self.backgroundCommits.run { offsets in
                    do {
                        try await self.commit(offsets)
                    } catch {
                        logger.warning("background commit failed: \(error)")
                    }
                }
            }
            tasks.addTask {
                for await (membership, topics) in self.subscriptions {
                    await membership.run(topics: topics)
                }
            }
            if (try? await gracefulShutdown()) != nil { await leave() }
            subscribing.finish()
            tasks.cancelAll()
            if !gate.hasEnded { gate.end(failure: nil) }
            // Closed under the cancelled tasks, so that no request still waits for an answer.
            await fetcher.shutdown()
        }
    }

    /// Finishes the background commits, then revokes and leaves.
    private func leave() async {
        await backgroundCommits.drained()
        if let membership = membership.withLock({ $0 }) {
            await membership.close()
        } else {
            gate.end(failure: nil)
        }
    }

    /// Joins the group for `topics` (once `run()` runs); returns true once the group has given
    /// this member its first assignment, false when `limit` passed first (the member keeps trying;
    /// batches come once it is assigned). A group that cannot form is reported in the log while the member waits.
    /// A join is given at least until it counts as stalled (`stalledJoinAfter`): a broker holds a
    /// healthy first join for about half a session, which must not end a short `limit` early.
    @discardableResult
    public func subscribe(to topics: [String], listener: RebalanceListener = RebalanceListener(),
                          waitingAtMost limit: Duration? = nil) async throws -> Bool {
        let created = GroupMembership(settings: group, listener: listener, fetcher: fetcher, gate: gate)
        let isFirst = membership.withLock { current in
            guard current == nil else { return false }
            current = created
            return true
        }
        guard isFirst else { throw KafkaError.configuration("this consumer is already subscribed — create another KafkaConsumer for other topics") }
        subscribing.yield((created, topics))
        switch await gate.waitUntilOpen(timeout: limit.map { max($0, group.stalledJoinAfter) }) {
        case .open:
            return true
        case .timedOut:
            return false
        case .ended:
            if let failure = gate.failure { throw failure }
            try Task.checkCancellation()
            throw KafkaError.shutDown
        }
    }

    /// Records of the currently assigned partitions in fetch-sized batches; keeps membership
    /// alive; ends after `idleTimeout` without records (never when nil) or when `run()` stops.
    /// Asking for the next batch tells the consumer the previous one is done with, which a
    /// rebalance waits for; iterate from one task at a time.
    public func batches(idleTimeout: Duration? = nil) -> GroupRecordBatches {
        GroupRecordBatches(consumer: self, idleTimeout: idleTimeout)
    }

    /// Commits `offsets` (for each partition, the next offset to read) and waits for the
    /// coordinator to confirm.
    public func commit(_ offsets: [TopicPartition: Int64]) async throws {
        guard !offsets.isEmpty else { return }
        guard let membership = membership.withLock({ $0 }) else {
            throw KafkaError.configuration("commit needs a group membership — call subscribe(to:) first")
        }
        // Fewer attempts than other requests: the caller waits, and a later commit supersedes this one.
        var retry = RetryPolicy.brokerRequests
        retry.maxAttempts = 5
        var attempt = 0
        while true {
            attempt += 1
            let status = membership.status
            let refused: [TopicPartition: Int16]
            do {
                let coordinator: Int32
                if let known = status.coordinator {
                    coordinator = known
                } else {
                    coordinator = try await GroupCoordinatorLookup.find(group: group.groupID, in: cluster)
                }
                let connection = try await cluster.connection(to: coordinator)
                refused = try await GroupOffsets.commit(offsets, group: group.groupID, generation: status.generation,
                                                        memberID: status.memberID, on: connection)
            } catch let error as KafkaError where error.isRetriable && retry.allowsRetry(afterAttempt: attempt) {
                try await Task.sleep(for: retry.randomDelay(afterAttempt: attempt))
                continue
            }
            guard let (partition, code) = refused.first else { return }
            let error = KafkaErrorCode(rawValue: code)
            switch error {
            case .rebalanceInProgress, .illegalGeneration, .unknownMemberId:
                membership.report(.commitRejected(errorCode: code))
                throw KafkaError.broker(
                    code: code, name: error.name,
                    message: "the group is rebalancing and \(partition) may have moved; its records after the last commit will be delivered again — commit in the revoked callback to avoid that",
                    context: "committing offsets for consumer group '\(group.groupID)'", retriable: false)
            case .notCoordinator, .coordinatorNotAvailable, .coordinatorLoadInProgress:
                // The coordinator moved: the membership finds the new one; commit there.
                membership.report(.commitRejected(errorCode: code))
                guard !retry.allowsRetry(afterAttempt: attempt) else {
                    try await Task.sleep(for: retry.randomDelay(afterAttempt: attempt))
                    continue
                }
                fallthrough
            default:
                throw KafkaError.broker(code: code, name: error.name, message: "committing \(partition)",
                                        context: "committing offsets for consumer group '\(group.groupID)'", retriable: error.isRetriable)
            }
        }
    }

    /// Commits `offsets` without waiting; a failure is logged, and the next commit covers it.
    /// Background commits go out one at a time, in order, merged while one is in flight, so
    /// an older offset never overwrites a newer one.
    /// `run()` sends them, and finishes them before it leaves the group.
    public func commitInBackground(_ offsets: [TopicPartition: Int64]) {
        backgroundCommits.enqueue(offsets)
    }

    /// The id the coordinator gave this member (empty before the first join).
    public var memberID: String { membership.withLock { $0 }?.status.memberID ?? "" }

    /// Calls `observer` for every partition moved because its position was outside the log.
    public func observeOffsetResets(_ observer: @escaping @Sendable (OffsetReset) -> Void) {
        fetcher.observeOffsetResets(observer)
    }

    /// The assigned partition furthest behind its log's end as last fetched, and by how many records.
    public var worstLag: (partition: TopicPartition, lag: Int64)? { fetcher.worstLag }

    /// The partitions this member currently reads.
    public var assignment: Set<TopicPartition> { gate.assignment }
}
