import ArgumentParser
import Foundation
import Kafka
import KafkaProtocol
import ServiceLifecycle
import ServiceScope

extension ConsumeCommand {
    /// Consumes as a member of `groupID`: prints each batch, then commits it.
    func consumeInGroup(_ groupID: String) async throws {
        let consumer = try await KafkaConsumer(
            configuration: try connection.kafkaConfiguration(),
            group: group.settings(groupID: groupID, fromBeginning: fromBeginning),
            settings: ConsumerSettings(isolation: isolation.level))
        let listener = RebalanceListener(
            revoked: { printError("revoked: \(partitionList($0))") },
            assigned: { printError("assigned: \(partitionList($0.keys))") })
        let started = ContinuousClock.now
        let (topic, limit) = (topic, count ?? Int.max)  // read once: a property-wrapper read per record shows in the profile
        let idle = untilIdle.map { Duration.milliseconds(Int64($0 * 1000)) }
        // On SIGINT/SIGTERM the loop is cancelled after printing and committing the batch in
        // progress; then the consumer leaves the group as its scope ends.
        let outcome = await CommandLifecycle().run(stopping: {}) { () async -> (Int, (any Error)?) in
            do {
                return try await whileRunning(consumer) {
                    await cancelWhenGracefulShutdown {
                        var output = StandardOutput()
                        do {
                        // Waiting for the group's assignment counts as idle: no assignment within it, nothing to read.
                        let joined = try await consumer.subscribe(to: [topic], listener: listener, waitingAtMost: idle)
                        guard limit != 0, joined else { return (0, nil) }
                        for try await batch in consumer.batches(idleTimeout: idle) {
                            let (printedBefore, taken) = (output.printed, min(batch.count, limit - output.printed))
                            do {
                                for record in batch.prefix(taken) { try output.append(record) }
                                try output.flush()
                            } catch {
                                // Only what went out whole is committed: the rest was never printed.
                                try await commit(Self.nextOffsets(batch.prefix(output.printed - printedBefore)), with: consumer)
                                throw error
                            }
                            try await commit(Self.nextOffsets(batch.prefix(taken)), with: consumer)
                            if output.printed >= limit { break }
                        }
                        return (output.printed, nil)
                        } catch is CancellationError {
                            return (output.printed, nil)  // stopped by a signal
                        } catch {
                            return (output.printed, error)
                        }
                    }
                }
            } catch {
                return (0, error)
            }
        }
        let (consumed, failure) = (try? outcome.get()) ?? (0, nil)
        try summarize(consumed: consumed, since: started, failure: failure, group: groupID)
    }

    /// For each partition of `records`, the offset after its last record.
    private static func nextOffsets(_ records: ArraySlice<ConsumerRecord>) -> [TopicPartition: Int64] {
        var next: [TopicPartition: Int64] = [:]
        for record in records { next[TopicPartition(topic: record.topic, partition: record.partition)] = record.offset + 1 }
        return next
    }

    /// Commits after printing; a commit refused because the group is rebalancing is reported
    /// and skipped (the next owner reads those records again), anything else stops the command.
    private func commit(_ offsets: [TopicPartition: Int64], with consumer: KafkaConsumer) async throws {
        do {
            try await consumer.commit(offsets)
            if group.logCommits {
                let sorted = offsets.sorted { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }
                printError("committed: " + sorted.map { "\($0.key)@\($0.value)" }.joined(separator: ","))
            }
        } catch let error as KafkaError {
            guard case .broker(let code, _, _, _, _) = error,
                  [.illegalGeneration, .unknownMemberId, .rebalanceInProgress].contains(KafkaErrorCode(rawValue: code)) else { throw error }
            printError("warning: \(error)")
        }
    }
}
