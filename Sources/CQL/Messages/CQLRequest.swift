import NIOCore

/// A request message this client sends (section 4.1 of the v4 spec).
public enum CQLRequest: Sendable, Hashable {
    /// STARTUP with its options, e.g. CQL_VERSION 3.0.0.
    case startup(options: [String: String])
    /// AUTH_RESPONSE with a SASL token.
    case authResponse(token: [UInt8]?)
    /// OPTIONS: ask which startup options and protocol versions the server supports.
    case options
    /// QUERY: run a CQL string.
    case query(String, CQLQueryParameters)
    /// PREPARE a CQL string.
    case prepare(String)
    /// EXECUTE a prepared statement; `resultMetadataID` is sent in v5 only.
    case execute(id: [UInt8], resultMetadataID: [UInt8]?, CQLQueryParameters)
    /// BATCH of statements.
    case batch(CQLBatch)

    /// The opcode in the frame header.
    public var opcode: CQLOpcode {
        switch self {
        case .startup: .startup
        case .authResponse: .authResponse
        case .options: .options
        case .query: .query
        case .prepare: .prepare
        case .execute: .execute
        case .batch: .batch
        }
    }

    /// The body bytes for `version`.
    public func encodeBody(into buffer: inout ByteBuffer, version: CQLProtocolVersion) {
        switch self {
        case .startup(let options):
            // Sorted so the bytes are deterministic.
            buffer.writeCQLStringMap(options.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        case .authResponse(let token):
            buffer.writeCQLBytes(token)
        case .options:
            break
        case .query(let query, let parameters):
            buffer.writeCQLLongString(query)
            parameters.encode(into: &buffer, version: version)
        case .prepare(let query):
            buffer.writeCQLLongString(query)
            if version.usesPreparedMetadataID { buffer.writeInteger(UInt32(0)) }
        case .execute(let id, let resultMetadataID, let parameters):
            buffer.writeCQLShortBytes(id)
            if version.usesPreparedMetadataID { buffer.writeCQLShortBytes(resultMetadataID ?? []) }
            parameters.encode(into: &buffer, version: version)
        case .batch(let batch):
            batch.encode(into: &buffer, version: version)
        }
    }

    /// The whole frame for `stream`.
    public func frame(stream: Int16, version: CQLProtocolVersion, allocator: ByteBufferAllocator = ByteBufferAllocator()) -> CQLFrame {
        var body = allocator.buffer(capacity: 64)
        encodeBody(into: &body, version: version)
        return CQLFrame(
            header: CQLFrameHeader(version: version.rawValue, isResponse: false, stream: stream, opcode: opcode, bodyLength: Int32(body.readableBytes)),
            body: body)
    }

    /// A short name for logs and errors; never includes a token or bind values.
    public var summary: String {
        switch self {
        case .query(let query, _), .prepare(let query): "\(opcode) \"\(query.prefix(80))\""
        default: opcode.description
        }
    }
}

/// A BATCH message (section 4.1.7 of the v4 spec).
public struct CQLBatch: Sendable, Hashable {
    /// Logged, unlogged or counter.
    public enum Kind: UInt8, Sendable, Hashable {
        case logged = 0
        case unlogged = 1
        case counter = 2
    }

    /// One statement in a batch: a CQL string or a prepared statement id, with its values.
    public enum Statement: Sendable, Hashable {
        case query(String, values: [CQLValue])
        case prepared(id: [UInt8], values: [CQLValue])
    }

    public var kind: Kind
    public var statements: [Statement]
    public var consistency: CQLConsistency
    public var serialConsistency: CQLConsistency?
    /// A client-side write timestamp in microseconds.
    public var defaultTimestamp: Int64?

    /// Creates a batch.
    public init(kind: Kind, statements: [Statement], consistency: CQLConsistency = .localOne,
                serialConsistency: CQLConsistency? = nil, defaultTimestamp: Int64? = nil) {
        self.kind = kind
        self.statements = statements
        self.consistency = consistency
        self.serialConsistency = serialConsistency
        self.defaultTimestamp = defaultTimestamp
    }

    func encode(into buffer: inout ByteBuffer, version: CQLProtocolVersion) {
        buffer.writeInteger(kind.rawValue)
        buffer.writeInteger(UInt16(statements.count))
        for statement in statements {
            let values: [CQLValue]
            switch statement {
            case .query(let query, let queryValues):
                buffer.writeInteger(UInt8(0))
                buffer.writeCQLLongString(query)
                values = queryValues
            case .prepared(let id, let preparedValues):
                buffer.writeInteger(UInt8(1))
                buffer.writeCQLShortBytes(id)
                values = preparedValues
            }
            buffer.writeInteger(UInt16(values.count))
            for value in values { buffer.writeCQLValue(value) }
        }
        buffer.writeCQLConsistency(consistency)
        var flags: UInt32 = 0
        if serialConsistency != nil { flags |= 0x10 }
        if defaultTimestamp != nil { flags |= 0x20 }
        if version.usesIntQueryFlags { buffer.writeInteger(flags) } else { buffer.writeInteger(UInt8(flags)) }
        if let serialConsistency { buffer.writeCQLConsistency(serialConsistency) }
        if let defaultTimestamp { buffer.writeInteger(defaultTimestamp) }
    }
}
