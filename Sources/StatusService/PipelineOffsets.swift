import Kafka

/// The Kafka queries the status needs, behind one small seam: end and earliest offsets of a
/// topic and a consumer group's committed offsets. `KafkaAdmin` provides them.
public protocol PipelineOffsets: Sendable {
    /// The earliest or latest offset of every partition of `topic`.
    func offsets(topic: String, _ spec: OffsetSpec) async throws -> [Int32: Int64]
    /// The group's committed offsets for `topic`, by partition (partitions without one are absent).
    func committedOffsets(group: String, topic: String) async throws -> [Int32: Int64]
}
