import Kafka

/// Reads partitions of one topic from given offsets up to given ends, as a plain partition
/// consumer: no group is joined and no offset is committed.
struct LogScan {
    let kafka: KafkaConfiguration
    let topic: String
    /// How long no fetch may move any position before the read counts as stalled.
    var stallTimeout: Duration = .seconds(30)

    /// Fetches of up to 4 MiB: the batch being handled plus the one prefetched stay small.
    static let settings = ConsumerSettings(maxWait: .milliseconds(100), maxBytes: 4 << 20, partitionMaxBytes: 1 << 20)

    /// Calls `body` with each batch of records inside `ranges` (per partition, start..<end);
    /// returns once every partition's position reached its end.
    func read(_ ranges: [Int32: Range<Int64>], _ body: ([ConsumerRecord]) async throws -> Void) async throws {
        let wanted = ranges.filter { !$0.value.isEmpty }
        guard !wanted.isEmpty else { return }
        let consumer = try await PartitionConsumer(configuration: kafka, settings: Self.settings)
        do {
            for (partition, range) in wanted {
                try await consumer.assign([TopicPartition(topic: topic, partition: partition)], from: .offset(range.lowerBound))
            }
            try await readToEnds(consumer, wanted, body)
        } catch {
            await consumer.shutdown()
            throw error
        }
        await consumer.shutdown()
    }

    private func readToEnds(_ consumer: PartitionConsumer, _ ranges: [Int32: Range<Int64>],
                            _ body: ([ConsumerRecord]) async throws -> Void) async throws {
        /// The first partition short of its end, if any.
        func behind() -> (partition: Int32, position: Int64, end: Int64)? {
            let positions = consumer.currentPositions
            for (partition, range) in ranges.sorted(by: { $0.key < $1.key }) {
                let position = positions[TopicPartition(topic: topic, partition: partition)] ?? range.lowerBound
                if position < range.upperBound { return (partition, position, range.upperBound) }
            }
            return nil
        }
        var before = consumer.currentPositions
        while behind() != nil {
            // The batches end after the stall timeout without a record; the last records of a
            // partition can be transaction markers, which move its position without yielding one.
            for try await batch in consumer.batches(idleTimeout: stallTimeout) {
                let inside = batch.filter { ranges[$0.partition]?.contains($0.offset) == true }
                if !inside.isEmpty { try await body(inside) }
                if behind() == nil { return }
            }
            let now = consumer.currentPositions
            if let stuck = behind(), now == before {
                throw ReconciliationError.stalled(topic: topic, partition: stuck.partition, at: stuck.position, end: stuck.end)
            }
            before = now
        }
    }
}
