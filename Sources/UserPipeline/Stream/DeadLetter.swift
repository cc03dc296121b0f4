import Kafka
import NIOCore
import UserContract

/// Turns a rejected `users_created` record into a record for the dead-letter topic: the original
/// key, value and headers, plus headers that say why it was rejected and where it came from.
public enum DeadLetter {
    /// Header names on dead-letter records.
    enum Header {
        static let reason = "dlq.reason"
        static let message = "dlq.message"
        static let sourceTopic = "dlq.source.topic"
        static let sourcePartition = "dlq.source.partition"
        static let sourceOffset = "dlq.source.offset"
        /// Present when the value was cut to `maxValueBytes`; holds the original size.
        static let originalSize = "dlq.original.size"
    }

    /// Values larger than this are cut in the dead-letter record: the whole value stays in the
    /// source topic at the offset the headers name, and brokers reject records past ~1 MB.
    static let maxValueBytes = 64 * 1024

    /// The dead-letter record for `record`, rejected for `reason`.
    static func record(for record: ConsumerRecord, reason: RejectionReason, topic: String) -> ProducerRecord {
        var headers = record.headers
        headers.append(header(Header.reason, reason.code))
        headers.append(header(Header.message, String(reason.message.prefix(1024))))
        headers.append(header(Header.sourceTopic, record.topic))
        headers.append(header(Header.sourcePartition, String(record.partition)))
        headers.append(header(Header.sourceOffset, String(record.offset)))
        var value = record.value
        if let original = value, original.readableBytes > maxValueBytes {
            value = original.getSlice(at: original.readerIndex, length: maxValueBytes)
            headers.append(header(Header.originalSize, String(original.readableBytes)))
        }
        return ProducerRecord(topic: topic, key: record.key, value: value, headers: headers)
    }

    /// The record a dead letter was made from, as its headers name it; nil when they do not. The
    /// last header of each name counts: a record dead-lettered again keeps its earlier headers.
    public static func source(of headers: [KafkaHeader]) -> (topic: String, partition: Int32, offset: Int64)? {
        func text(_ name: String) -> String? {
            headers.last { $0.key == name }?.value.map { String(buffer: $0) }
        }
        guard let topic = text(Header.sourceTopic), let partition = text(Header.sourcePartition).flatMap(Int32.init),
              let offset = text(Header.sourceOffset).flatMap(Int64.init) else { return nil }
        return (topic, partition, offset)
    }

    private static func header(_ key: String, _ value: String) -> KafkaHeader {
        KafkaHeader(key: key, value: ByteBuffer(string: value))
    }
}
