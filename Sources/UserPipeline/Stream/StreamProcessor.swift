import Kafka
import Logging
import Retry
import Synchronization
import UserContract
import UserSinks
import Metering

/// Kafka → sink: validates each record, upserts the valid users, sends the rest to the
/// dead-letter topic, and commits a partition's offset only once everything before it is in
/// the sink or the dead-letter topic. A failing sink or DLQ is retried with capped backoff and
/// nothing more is fetched meanwhile, so a slow sink slows the stream instead of losing users.
public final class StreamProcessor: Sendable {
    /// Commits offsets (the next offset to read, per partition) to the consumer group.
    public typealias Commit = @Sendable ([TopicPartition: Int64]) async throws -> Void

    public let dlqTopic: String
    private let sink: any UserSink
    private let deadLetters: any DeadLetterSender
    private let validator: UserValidator
    private let commitOffsets: Commit
    private let logger: Logger
    private let policy = Mutex(OffsetCommitPolicy())
    private let counts = Mutex(StreamSummary())
    private let gate = SerialGate()
    private let started = ContinuousClock.now
    /// Writes are retried until they succeed: giving up would lose users or dead letters.
    private let writeRetry: RetryPolicy
    private let metrics: PipelineMetrics
    private let progressUpdates = AsyncStream.makeStream(of: Int.self, bufferingPolicy: .bufferingNewest(1))

    /// The records consumed so far, after each batch; ends when `run` does. One reader only.
    public var progress: AsyncStream<Int> { progressUpdates.stream }

    /// A processor writing users to `sink` and rejected records through `deadLetters` to `dlqTopic`.
    public init(sink: any UserSink, deadLetters: any DeadLetterSender, dlqTopic: String, validator: UserValidator = UserValidator(),
                maxBackoff: Duration = .seconds(5), metrics: PipelineMetrics = PipelineMetrics(), logger: Logger, commit: @escaping Commit) {
        self.sink = sink
        self.deadLetters = deadLetters
        self.dlqTopic = dlqTopic
        self.validator = validator
        self.writeRetry = RetryPolicy(maxAttempts: .max, initialBackoff: .milliseconds(100), maxBackoff: maxBackoff)
        self.metrics = metrics
        self.logger = logger
        self.commitOffsets = commit
    }

    /// The counts so far.
    public var snapshot: StreamSummary {
        var current = counts.withLock { $0 }
        current.elapsed = .now - started
        return current
    }

    /// Starts tracking newly assigned partitions from their starting offsets.
    public func partitionsAssigned(_ offsets: [TopicPartition: Int64]) async {
        await gate.enter()
        policy.withLock { policy in
            for (tp, offset) in offsets { policy.assign(tp, committed: offset) }
        }
        await gate.leave()
    }

    /// Follows a partition the consumer moved because its position was outside the log, and counts it.
    /// Called by the consumer between batches, before records from the new position arrive.
    public func offsetReset(_ reset: OffsetReset) {
        policy.withLock { $0.reset(reset.partition, to: reset.to) }
        counts.withLock {
            $0.offsetResets += 1
            $0.offsetsSkipped += reset.skipped
            $0.readAgain += reset.readAgain
        }
        metrics.offsetReset(skipped: reset.skipped, readAgain: reset.readAgain)
    }

    /// Commits what is done for `partitions` and stops tracking them; waits for a batch in progress.
    public func partitionsRevoked(_ partitions: [TopicPartition]) async {
        await gate.enter()
        var final: [TopicPartition: Int64] = [:]
        policy.withLock { policy in
            for tp in partitions {
                if let offset = policy.revoke(tp).commitOffset { final[tp] = offset }
            }
        }
        await commit(final)
        await gate.leave()
    }

    /// Processes every batch until the sequence ends or the task is cancelled; then commits what
    /// is done. A batch already being written when cancellation comes is finished first.
    /// Throws when the sink fails in a way retrying cannot cure; that batch is not committed.
    public func run<Batches: AsyncSequence<[ConsumerRecord], any Error>>(_ batches: Batches) async throws -> StreamSummary {
        defer { progressUpdates.continuation.finish() }
        do {
            for try await batch in batches {
                // Unstructured, so cancellation (SIGTERM) lets the batch finish and commit.
                try await Task { try await self.process(batch) }.value
            }
        } catch is CancellationError {
            logger.debug("cancelled: the batch in progress was finished and committed")
        }
        return snapshot
    }

    /// Validates, stores and dead-letters one batch, then commits.
    func process(_ records: [ConsumerRecord]) async throws {
        await gate.enter()
        let accepted = policy.withLock { policy in
            records.filter { policy.dispatch(Self.key($0), offset: $0.offset) == .accepted }
        }
        var users: [User] = []
        var valid: [ConsumerRecord] = []  // the records of `users`, in the same order
        var rejected: [ProducerRecord] = []
        var rejectedReasons: [String: Int] = [:]
        var timestamps: [Int64] = []  // of the valid records, for the end-to-end latency
        users.reserveCapacity(accepted.count)
        for record in accepted {
            switch validator.validate(record.value) {
            case .success(let user):
                users.append(user)
                valid.append(record)
                timestamps.append(record.timestamp)
            case .failure(let reason):
                rejected.append(DeadLetter.record(for: record, reason: reason, topic: dlqTopic))
                rejectedReasons[reason.code, default: 0] += 1
            }
        }
        metrics.recordsConsumed.increment(by: accepted.count)
        if !accepted.isEmpty { metrics.batchSize.record(accepted.count) }
        async let stored = store(users, timestamps: timestamps)
        async let deadLettered: Void = deadLetter(rejected)
        let (outcome, _) = await (stored, deadLettered)
        let refusals: [SinkRowsRefused.Refusal]
        switch outcome {
        case .success(let refused):
            refusals = refused
        case .failure(let storeFailure):
            // Nothing of this batch is acknowledged, so nothing of it is ever committed.
            logger.error("the sink cannot take more users: \(storeFailure)")
            await gate.leave()
            throw storeFailure
        }
        // Users the sink refused for themselves alone are dead letters too, safe before any commit.
        if let first = refusals.first {
            logger.warning("the sink refused \(refusals.count) users; they go to '\(dlqTopic)' as sink_rejected (first: \(first.message))")
            var refusedLetters: [ProducerRecord] = []
            for refusal in refusals {
                let reason = RejectionReason.sinkRejected(refusal.message)
                refusedLetters.append(DeadLetter.record(for: valid[refusal.index], reason: reason, topic: dlqTopic))
                rejectedReasons[reason.code, default: 0] += 1
            }
            await deadLetter(refusedLetters)
        }
        for (reason, count) in rejectedReasons { metrics.deadLettered(count, reason: reason) }
        let pending = policy.withLock { policy in
            for record in accepted { policy.acknowledge(Self.key(record), offset: record.offset) }
            return policy.pendingCommits
        }
        let consumed = counts.withLock {
            $0.consumed += accepted.count
            $0.stored += users.count - refusals.count
            $0.deadLettered += rejected.count + refusals.count
            return $0.consumed
        }
        progressUpdates.continuation.yield(consumed)
        await commit(pending)
        await gate.leave()
    }

    /// Writes until the sink takes the users; returns the users it refused for themselves alone,
    /// or the failure retrying cannot cure.
    private func store(_ users: [User], timestamps: [Int64]) async -> Result<[SinkRowsRefused.Refusal], any Error> {
        guard !users.isEmpty else { return .success([]) }
        var failures = 0
        while true {
            do {
                let started = ContinuousClock.now
                var refusals: [SinkRowsRefused.Refusal] = []
                do {
                    try await sink.upsert(users)
                } catch let refused as SinkRowsRefused {
                    refusals = refused.refusals
                }
                metrics.stored(users.count - refusals.count, took: .now - started)
                let refusedAt = Set(refusals.map(\.index))
                metrics.recordEndToEndLatency(recordTimestamps: refusals.isEmpty
                    ? timestamps : timestamps.indices.filter { !refusedAt.contains($0) }.map { timestamps[$0] })
                return .success(refusals)
            } catch let error as any UnrecoverableSinkError where error.isUnrecoverable {
                return .failure(error)
            } catch {
                await retry(after: &failures, "writing \(users.count) users to the sink failed: \(error)")
            }
        }
    }

    private func deadLetter(_ records: [ProducerRecord]) async {
        var remaining = records
        var failures = 0
        while !remaining.isEmpty {
            let outcomes = await deadLetters.send(contentsOf: remaining)
            let failed = zip(remaining, outcomes).compactMap { record, outcome -> (ProducerRecord, KafkaError)? in
                if case .failure(let error) = outcome { return (record, error) }
                return nil
            }
            remaining = failed.map(\.0)
            if let (_, error) = failed.first {
                await retry(after: &failures, "dead-lettering \(remaining.count) records to '\(dlqTopic)' failed: \(error)")
            }
        }
    }

    /// Counts and logs a failed write, then waits before the next attempt.
    private func retry(after failures: inout Int, _ message: String) async {
        counts.withLock { $0.writeRetries += 1 }
        metrics.sinkWriteRetries.increment()
        failures += 1
        let delay = writeRetry.backoff(afterAttempt: failures)
        logger.warning("\(message) — retrying in \(delay)")
        try? await Task.sleep(for: delay)
    }

    private func commit(_ offsets: [TopicPartition: Int64]) async {
        guard !offsets.isEmpty else { return }
        do {
            try await commitOffsets(offsets)
            policy.withLock { policy in
                for (tp, offset) in offsets { policy.committed(tp, offset: offset) }
            }
            counts.withLock { $0.commits += 1 }
        } catch {
            counts.withLock { $0.failedCommits += 1 }
            logger.warning("offset commit failed (the records will be redelivered and upserted again): \(error)")
        }
    }

    private static func key(_ record: ConsumerRecord) -> TopicPartition {
        TopicPartition(topic: record.topic, partition: record.partition)
    }
}
