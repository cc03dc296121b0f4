/// A Kafka error code as found in responses. The constants, names and retriability come
/// from Kafka's error table and are generated in KafkaErrorCode+Generated.swift.
public struct KafkaErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The int16 code on the wire.
    public let rawValue: Int16

    /// Wraps an error code, known or not.
    public init(rawValue: Int16) {
        self.rawValue = rawValue
    }

    /// "UNKNOWN_TOPIC_OR_PARTITION (3)".
    public var description: String { "\(name) (\(rawValue))" }
}
