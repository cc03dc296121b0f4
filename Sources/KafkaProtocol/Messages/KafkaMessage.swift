import NIOCore

/// A structure with a versioned Kafka wire form: every generated message and nested struct.
public protocol KafkaCodable: Sendable, Equatable {
    /// Decodes the structure as written in `version`.
    init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaDecodingError)
    /// Encodes the structure as `version` lays it out.
    func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError)
}

/// A top-level generated message: a request, a response or a data message.
public protocol KafkaMessage: KafkaCodable {
    /// The versions the message definition describes ("validVersions").
    static var supportedVersions: ClosedRange<Int16> { get }
    /// Whether `version` uses compact encodings and tagged fields.
    static func isFlexible(version: Int16) -> Bool
}

/// A request body, sent after a `RequestHeader`.
public protocol KafkaRequest: Sendable {
    /// The body the broker answers this request with.
    associatedtype Response: KafkaResponse
    /// Which API the request belongs to.
    static var apiKey: ApiKey { get }
    /// The versions the message definition describes ("validVersions").
    static var supportedVersions: ClosedRange<Int16> { get }
    /// Whether `version` uses compact encodings, tagged fields and request header v2.
    static func isFlexible(version: Int16) -> Bool
    /// Encodes the body (not the header or the size prefix) as `version` lays it out.
    func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError)
    /// About how many bytes the encoded request takes, so its frame is allocated once.
    var encodedSizeHint: Int { get }
}

extension KafkaRequest {
    public var encodedSizeHint: Int { 256 }
}

extension ProduceRequest {
    /// The record batches plus room for the topic and partition fields.
    public var encodedSizeHint: Int {
        var size = 256
        for topic in topicData {
            size += 64 + topic.name.utf8.count
            for partition in topic.partitionData { size += 16 + (partition.records?.readableBytes ?? 0) }
        }
        return size
    }
}

/// A response body, read after a `ResponseHeader`.
public protocol KafkaResponse: Sendable {
    /// Decodes the body as written in `version` (the request's version).
    init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaDecodingError)
}
