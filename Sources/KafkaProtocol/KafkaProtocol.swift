/// Kafka's wire protocol: primitives, generated request/response codecs, record batches.
public enum KafkaProtocolModule {}
