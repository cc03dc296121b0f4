import Kafka

// The consumer-group queries arrive with `KafkaAdmin`'s group methods; until then the status
// reports no committed offsets.
extension KafkaAdmin: PipelineOffsets {
    public func committedOffsets(group: String, topic: String) async throws -> [Int32: Int64] { [:] }
}
