import Kafka

/// Where the stream processor sends the records it rejects: the Kafka producer in a run, an
/// in-memory stand-in in tests of the processor's own rules.
public protocol DeadLetterSender: Sendable {
    /// Sends `records`; one outcome per record, in order.
    func send(contentsOf records: [ProducerRecord]) async -> [Result<RecordMetadata, KafkaError>]
}

extension KafkaProducer: DeadLetterSender {}
