import NIOCore

/// The header in front of every request body (RequestHeader.json). Version 1 is used
/// for non-flexible request versions, version 2 (adds a tagged-field section) for flexible ones;
/// the client id stays a classic nullable string in both.
public struct RequestHeader: Sendable, Equatable {
    /// The API of the request that follows.
    public var apiKey: ApiKey
    /// The version of the request body that follows.
    public var apiVersion: Int16
    /// Echoed by the broker in the response header, to match responses to requests.
    public var correlationId: Int32
    /// The client's name, shown in broker logs and quotas.
    public var clientId: String?

    /// Creates a request header.
    public init(apiKey: ApiKey, apiVersion: Int16, correlationId: Int32, clientId: String?) {
        self.apiKey = apiKey
        self.apiVersion = apiVersion
        self.correlationId = correlationId
        self.clientId = clientId
    }

    /// The header version the request's api key and version call for: 2 if flexible, else 1.
    public var headerVersion: Int16 {
        apiKey.isFlexible(version: apiVersion) ? 2 : 1
    }

    /// Encodes the header.
    public func encode(into buffer: inout ByteBuffer) throws(KafkaEncodingError) {
        buffer.writeInteger(apiKey.rawValue)
        buffer.writeInteger(apiVersion)
        buffer.writeInteger(correlationId)
        try buffer.writeKafkaNullableString(clientId, compact: false)
        if headerVersion >= 2 {
            buffer.writeUnsignedVarint(0)
        }
    }

    /// Decodes a header (v1 or v2, chosen from the api key and version it starts with).
    public static func decode(from buffer: inout ByteBuffer) throws(KafkaDecodingError) -> RequestHeader {
        let apiKey = ApiKey(rawValue: try buffer.readKafkaInteger(as: Int16.self))
        let apiVersion = try buffer.readKafkaInteger(as: Int16.self)
        let correlationId = try buffer.readKafkaInteger(as: Int32.self)
        let clientId = try buffer.readKafkaNullableString(compact: false)
        let header = RequestHeader(apiKey: apiKey, apiVersion: apiVersion, correlationId: correlationId, clientId: clientId)
        if header.headerVersion >= 2 {
            try buffer.skipKafkaTaggedFields()
        }
        return header
    }
}
