import NIOCore

/// The header in front of every response body (ResponseHeader.json): version 1 (adds a
/// tagged-field section) for flexible versions, version 0 otherwise — except that
/// ApiVersions responses always use version 0, so a client can read them before it
/// knows what the broker supports.
public struct ResponseHeader: Sendable, Equatable {
    /// The correlation id of the request this answers.
    public var correlationId: Int32

    /// Creates a response header.
    public init(correlationId: Int32) {
        self.correlationId = correlationId
    }

    /// The response header version for a response to `apiKey` at `apiVersion`.
    public static func headerVersion(apiKey: ApiKey, apiVersion: Int16) -> Int16 {
        if apiKey == .apiVersions { return 0 }
        return apiKey.isFlexible(version: apiVersion) ? 1 : 0
    }

    /// Decodes the header of a response to `apiKey` at `apiVersion`.
    public static func decode(from buffer: inout ByteBuffer, apiKey: ApiKey, apiVersion: Int16) throws(KafkaDecodingError) -> ResponseHeader {
        let correlationId = try buffer.readKafkaInteger(as: Int32.self)
        if headerVersion(apiKey: apiKey, apiVersion: apiVersion) >= 1 {
            try buffer.skipKafkaTaggedFields()
        }
        return ResponseHeader(correlationId: correlationId)
    }

    /// Encodes the header of a response to `apiKey` at `apiVersion` (for test brokers).
    public func encode(into buffer: inout ByteBuffer, apiKey: ApiKey, apiVersion: Int16) {
        buffer.writeInteger(correlationId)
        if Self.headerVersion(apiKey: apiKey, apiVersion: apiVersion) >= 1 {
            buffer.writeUnsignedVarint(0)
        }
    }
}
