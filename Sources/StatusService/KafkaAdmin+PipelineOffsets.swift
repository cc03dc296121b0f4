import Kafka

// `KafkaAdmin` already answers both queries (`offsets(topic:_:)`, `committedOffsets(group:topic:)`).
extension KafkaAdmin: PipelineOffsets {}
