import Kafka
import NIOCore

extension DeadLetter.Header {
    /// The `dlq.` prefix every header the stream adds shares; a replay drops them.
    static let prefix = "dlq."
    /// On a replayed record (and so on its dead letter if it fails again): how often it was replayed.
    static let replays = "dlq.replays"
}

/// A record of the dead-letter topic with what its `dlq.*` headers say about it.
public struct DeadLetterEntry: Sendable {
    /// The record as read from the dead-letter topic.
    public var record: ConsumerRecord
    /// `dlq.reason`; nil for a record the stream did not write (no such header).
    public var reason: String?
    /// Where the rejected record was read: `dlq.source.topic` and `dlq.source.partition`.
    public var source: TopicPartition?
    /// How often the record was replayed before it came back (`dlq.replays`, 0 when absent).
    public var replays: Int
    /// True when the value was cut to the dead-letter limit (`dlq.original.size`): replaying it
    /// would send a value the source never held.
    public var isCut: Bool

    /// Reads the headers of `record`.
    public init(_ record: ConsumerRecord) {
        self.record = record
        let text = Self.headerText(record.headers)
        reason = text(DeadLetter.Header.reason)
        if let topic = text(DeadLetter.Header.sourceTopic), let partition = text(DeadLetter.Header.sourcePartition).flatMap({ Int32($0) }) {
            source = TopicPartition(topic: topic, partition: partition)
        }
        replays = text(DeadLetter.Header.replays).flatMap { Int($0) }.map { max(0, $0) } ?? 0
        isCut = text(DeadLetter.Header.originalSize) != nil
    }

    /// Every `dlq.*` header in order, its value as text (nil for a null or non-UTF-8 value).
    public var deadLetterHeaders: [(key: String, value: String?)] {
        record.headers.filter { $0.key.hasPrefix(DeadLetter.Header.prefix) }.map { ($0.key, $0.value.flatMap(Self.utf8)) }
    }

    /// The headers the record had before the stream dead-lettered it.
    var originalHeaders: [KafkaHeader] {
        record.headers.filter { !$0.key.hasPrefix(DeadLetter.Header.prefix) }
    }

    /// The last header named so, as text.
    private static func headerText(_ headers: [KafkaHeader]) -> (String) -> String? {
        { name in headers.last { $0.key == name }?.value.flatMap(utf8) }
    }

    private static func utf8(_ bytes: ByteBuffer) -> String? {
        String(validating: bytes.readableBytesView, as: UTF8.self)
    }
}
