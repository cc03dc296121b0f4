import KafkaProtocol
import NIOCore

/// A record header: a name and optional bytes.
public typealias KafkaHeader = RecordHeader

/// A record to produce.
public struct ProducerRecord: Sendable {
    public var topic: String
    /// The key; records with equal keys go to the same partition (murmur2, as the Java client).
    public var key: ByteBuffer?
    public var value: ByteBuffer?
    public var headers: [KafkaHeader]
    /// An explicit partition, overriding the partitioner.
    public var partition: Int32?
    /// Milliseconds since the epoch; now when nil.
    public var timestamp: Int64?

    /// A record for `topic`.
    public init(topic: String, key: ByteBuffer? = nil, value: ByteBuffer?, headers: [KafkaHeader] = [], partition: Int32? = nil, timestamp: Int64? = nil) {
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
        self.partition = partition
        self.timestamp = timestamp
    }

    /// Bytes the record adds to a batch, roughly (for batch size decisions).
    var estimatedSize: Int {
        var size = 21 + (key?.readableBytes ?? 0) + (value?.readableBytes ?? 0)
        for header in headers { size += 6 + header.key.utf8.count + (header.value?.readableBytes ?? 0) }
        return size
    }
}

/// How many brokers must have written a record before it counts as sent.
public enum Acks: Int16, Sendable {
    /// Fire and forget; offsets are unknown.
    case none = 0
    /// The partition leader has written it.
    case leader = 1
    /// Every in-sync replica has written it.
    case all = -1
}

/// How the producer batches, retries and acknowledges.
public struct ProducerSettings: Sendable {
    public var acks: Acks = .all
    /// Idempotent delivery (producer id + sequence numbers); needs `acks = .all`.
    public var idempotent = true
    public var compression: CompressionCodec = .none
    /// A partition's batch is sent once it holds this many bytes; a record that would not fit
    /// starts the next batch. librdkafka's default: big batches mean fewer requests and less CPU
    /// per record, and they stay within Kafka's default 1 MiB message limit.
    public var batchSize = 1_000_000
    /// …or once its first record has waited this long.
    public var linger: Duration = .milliseconds(5)
    /// Batches per partition on the wire at once (5 at most with idempotence).
    public var maxInFlightPerPartition = 5
    /// Attempts per batch for retriable errors; `deliveryTimeout` is what normally bounds them.
    public var maxAttempts = Int.max
    /// How long a record may take from `send` to its acknowledgement, retries included: long
    /// enough to ride out a broker restart, bounded so that a dead cluster fails the send.
    public var deliveryTimeout: Duration = .seconds(120)
    /// The first pause before a retry; it doubles per attempt up to `retryBackoffMax`.
    public var retryBackoff: Duration = .milliseconds(100)
    public var retryBackoffMax: Duration = .seconds(1)
    /// Largest record `send` accepts, in bytes as it goes into a batch: Kafka's default
    /// message.max.bytes. Raise it with the topic's max.message.bytes, which the broker enforces.
    public var maxRecordSize = 1_048_588
    /// Largest Produce request.
    public var maxRequestSize = 8 * 1024 * 1024
    /// How long `send` waits for a topic that does not exist (yet) before failing.
    public var topicWait: Duration = .seconds(5)

    /// Defaults: acks=all, idempotent, no compression, 1 MB batches, 5 ms linger.
    public init() {}
}
