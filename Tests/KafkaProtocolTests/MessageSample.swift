import KafkaProtocol
import NIOCore
import Testing

/// A generated message type with a builder of sample values (see Generated/MessageSamples.swift),
/// type-erased so one parameterized test can cover every message.
struct MessageSample: Sendable, CustomTestStringConvertible {
    /// The outcome of encoding a sample at one version and decoding it again.
    struct RoundTrip {
        var equal: Bool
        var encodedBytes: Int
        var leftoverBytes: Int
        var firstDifference: String
    }

    let name: String
    let versions: ClosedRange<Int16>
    let roundTrip: @Sendable (_ version: Int16, _ nulls: Bool) throws -> RoundTrip
    /// Encodes the sample at `version`.
    let encoded: @Sendable (_ version: Int16) throws -> ByteBuffer
    /// Decodes `bytes` at `version`.
    let decode: @Sendable (_ bytes: inout ByteBuffer, _ version: Int16) throws -> Void

    init<Message: KafkaMessage>(_ type: Message.Type, sample: @escaping @Sendable (Int16, Bool) -> Message) {
        name = "\(type)"
        versions = Message.supportedVersions
        roundTrip = { version, nulls in
            let original = sample(version, nulls)
            var buffer = ByteBuffer()
            try original.encode(into: &buffer, version: version)
            let encodedBytes = buffer.readableBytes
            let decoded = try Message(from: &buffer, version: version)
            return RoundTrip(
                equal: decoded == original, encodedBytes: encodedBytes, leftoverBytes: buffer.readableBytes,
                firstDifference: decoded == original ? "" : "sent \(original)\nread \(decoded)")
        }

        encoded = { version in
            var buffer = ByteBuffer()
            try sample(version, false).encode(into: &buffer, version: version)
            return buffer
        }
        decode = { bytes, version in _ = try Message(from: &bytes, version: version) }
    }

    var testDescription: String { name }
}
