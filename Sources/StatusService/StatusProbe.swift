import Foundation
import Kafka

/// Takes the pipeline's status: the users topic's end offsets against the group's committed
/// offsets, the dead-letter topic's size, and the sink.
public struct StatusProbe: Sendable {
    public let topic: String
    public let group: String
    public let dlqTopic: String
    private let kafka: any PipelineOffsets
    private let sink: SinkProbe

    /// A probe asking `kafka` about `topic`, `group` and `dlqTopic`, and `sink` about its rows.
    public init(kafka: any PipelineOffsets, topic: String, group: String, dlqTopic: String, sink: SinkProbe) {
        self.kafka = kafka
        self.topic = topic
        self.group = group
        self.dlqTopic = dlqTopic
        self.sink = sink
    }

    /// The status now; throws when the broker cannot be asked (the sink's failures are reported inside).
    public func status(at time: Date = Date()) async throws -> PipelineStatus {
        async let sinkStatus = sink.read()
        let ends = try await kafka.offsets(topic: topic, .latest)
        let starts = try await kafka.offsets(topic: topic, .earliest)
        let committed = try await kafka.committedOffsets(group: group, topic: topic)
        let partitions = PartitionLag.of(ends: ends, starts: starts, committed: committed)
        return PipelineStatus(time: time, topic: topic, group: group, partitions: partitions, dlqTopic: dlqTopic,
                              dlqSize: try await dlqSize(), sink: await sinkStatus)
    }

    /// Closes the sink the probe opened.
    public func close() async {
        await sink.close()
    }

    private func dlqSize() async throws -> Int64 {
        do {
            let ends = try await kafka.offsets(topic: dlqTopic, .latest)
            let starts = try await kafka.offsets(topic: dlqTopic, .earliest)
            return ends.reduce(0) { $0 + max(0, $1.value - (starts[$1.key] ?? 0)) }
        } catch KafkaError.unknownTopic {
            return 0  // nothing was ever dead-lettered (or `setup` has not run yet)
        }
    }
}
