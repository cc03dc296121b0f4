/// Why an Arrow IPC stream from the server could not be decoded.
public enum ArrowDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The stream ended inside a message or a buffer.
    case truncated
    /// A column type this client does not decode (Arrow type id from Schema.fbs).
    case unsupportedType(column: String, typeID: UInt8)
    /// The batch body is compressed; the client asks for uncompressed batches.
    case compressedBody
    /// A record batch came before any schema.
    case recordBatchBeforeSchema

    public var description: String {
        switch self {
        case .truncated: "Arrow batch ended early — the result was cut off; retry the query"
        case .unsupportedType(let column, let typeID):
            "column \(column) has Arrow type \(typeID), which this client does not decode — cast it to STRING in the query"
        case .compressedBody: "Arrow batch is compressed — unset spark.connect arrow compression for this session"
        case .recordBatchBeforeSchema: "Arrow stream sent a record batch before its schema — the server's reply is malformed"
        }
    }
}
