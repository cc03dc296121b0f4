import NIOCore

/// The <query_parameters> shared by QUERY and EXECUTE (section 4.1.4 of the v4 spec).
public struct CQLQueryParameters: Sendable, Hashable {
    /// The consistency level.
    public var consistency: CQLConsistency
    /// Positional bind values; nil sends no Values flag.
    public var values: [CQLValue]?
    /// Ask the server to leave out result metadata (the client has it from PREPARE).
    public var skipMetadata: Bool
    /// Rows per page; nil leaves paging to the server default.
    public var pageSize: Int32?
    /// Where the previous page ended.
    public var pagingState: [UInt8]?
    /// The consistency of the Paxos phase of conditional updates.
    public var serialConsistency: CQLConsistency?
    /// A client-side write timestamp in microseconds.
    public var defaultTimestamp: Int64?

    /// Creates query parameters.
    public init(consistency: CQLConsistency = .localOne, values: [CQLValue]? = nil, skipMetadata: Bool = false,
                pageSize: Int32? = nil, pagingState: [UInt8]? = nil, serialConsistency: CQLConsistency? = nil,
                defaultTimestamp: Int64? = nil) {
        self.consistency = consistency
        self.values = values
        self.skipMetadata = skipMetadata
        self.pageSize = pageSize
        self.pagingState = pagingState
        self.serialConsistency = serialConsistency
        self.defaultTimestamp = defaultTimestamp
    }

    func encode(into buffer: inout ByteBuffer, version: CQLProtocolVersion) {
        buffer.writeCQLConsistency(consistency)
        var flags: UInt32 = 0
        if values != nil { flags |= 0x01 }
        if skipMetadata { flags |= 0x02 }
        if pageSize != nil { flags |= 0x04 }
        if pagingState != nil { flags |= 0x08 }
        if serialConsistency != nil { flags |= 0x10 }
        if defaultTimestamp != nil { flags |= 0x20 }
        if version.usesIntQueryFlags { buffer.writeInteger(flags) } else { buffer.writeInteger(UInt8(flags)) }
        if let values {
            buffer.writeInteger(UInt16(values.count))
            for value in values { buffer.writeCQLValue(value) }
        }
        if let pageSize { buffer.writeInteger(pageSize) }
        if let pagingState { buffer.writeCQLBytes(pagingState) }
        if let serialConsistency { buffer.writeCQLConsistency(serialConsistency) }
        if let defaultTimestamp { buffer.writeInteger(defaultTimestamp) }
    }
}
