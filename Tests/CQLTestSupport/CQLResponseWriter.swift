import NIOCore
import CQL

/// Builds server → client frames for tests (the library itself only decodes responses).
public enum CQLResponseWriter {
    public static func frame(_ opcode: CQLOpcode, stream: Int16, version: CQLProtocolVersion, flags: CQLFrameFlags = [], _ body: (inout ByteBuffer) -> Void = { _ in }) -> CQLFrame {
        var buffer = ByteBuffer()
        body(&buffer)
        return CQLFrame(header: CQLFrameHeader(version: version.rawValue, isResponse: true, flags: flags, stream: stream, opcode: opcode,
                                               bodyLength: Int32(buffer.readableBytes)), body: buffer)
    }

    public static func ready(stream: Int16, version: CQLProtocolVersion) -> CQLFrame { frame(.ready, stream: stream, version: version) }

    public static func authenticate(stream: Int16, version: CQLProtocolVersion) -> CQLFrame {
        frame(.authenticate, stream: stream, version: version) { $0.writeCQLString("org.apache.cassandra.auth.PasswordAuthenticator") }
    }

    public static func authSuccess(stream: Int16, version: CQLProtocolVersion) -> CQLFrame {
        frame(.authSuccess, stream: stream, version: version) { $0.writeCQLBytes(nil) }
    }

    public static func supported(stream: Int16, version: CQLProtocolVersion, protocolVersions: [String]) -> CQLFrame {
        frame(.supported, stream: stream, version: version) {
            $0.writeCQLStringMultimap([("CQL_VERSION", ["3.4.5"]), ("COMPRESSION", ["lz4", "snappy"]), ("PROTOCOL_VERSIONS", protocolVersions)])
        }
    }

    public static func error(_ error: CQLServerError, stream: Int16, version: CQLProtocolVersion) -> CQLFrame {
        frame(.error, stream: stream, version: version) { error.encode(into: &$0, version: version) }
    }

    public static func void(stream: Int16, version: CQLProtocolVersion) -> CQLFrame {
        frame(.result, stream: stream, version: version) { $0.writeInteger(Int32(1)) }
    }

    public static func setKeyspace(_ keyspace: String, stream: Int16, version: CQLProtocolVersion) -> CQLFrame {
        frame(.result, stream: stream, version: version) { $0.writeInteger(Int32(3)); $0.writeCQLString(keyspace) }
    }

    public static func schemaChange(_ change: CQLSchemaChange, stream: Int16, version: CQLProtocolVersion) -> CQLFrame {
        frame(.result, stream: stream, version: version) {
            $0.writeInteger(Int32(5))
            $0.writeCQLString(change.change)
            $0.writeCQLString(change.target)
            $0.writeCQLString(change.keyspace)
            if let name = change.name { $0.writeCQLString(name) }
        }
    }

    public static func writeColumns(_ columns: [CQLColumn], into buffer: inout ByteBuffer) {
        let keyspace = columns.first?.keyspace ?? "ks", table = columns.first?.table ?? "t"
        buffer.writeCQLString(keyspace)
        buffer.writeCQLString(table)
        for column in columns {
            buffer.writeCQLString(column.name)
            buffer.writeCQLDataType(column.type)
        }
    }

    public static func rows(columns: [CQLColumn], rows: [[CQLValue]], pagingState: [UInt8]? = nil, noMetadata: Bool = false,
                     stream: Int16, version: CQLProtocolVersion) -> CQLFrame {
        frame(.result, stream: stream, version: version) {
            $0.writeInteger(Int32(2))
            var flags: Int32 = noMetadata ? 0x0004 : 0x0001
            if pagingState != nil { flags |= 0x0002 }
            $0.writeInteger(flags)
            $0.writeInteger(Int32(columns.count))
            if let pagingState { $0.writeCQLBytes(pagingState) }
            if !noMetadata { writeColumns(columns, into: &$0) }
            $0.writeInteger(Int32(rows.count))
            for row in rows {
                for (value, column) in zip(row, columns) { $0.writeCQLValue(try! value.bound(to: column.type)) }
            }
        }
    }

    public static func prepared(id: [UInt8], resultMetadataID: [UInt8]? = nil, bindVariables: [CQLColumn], pkIndexes: [UInt16] = [0],
                         resultColumns: [CQLColumn] = [], stream: Int16, version: CQLProtocolVersion) -> CQLFrame {
        frame(.result, stream: stream, version: version) {
            $0.writeInteger(Int32(4))
            $0.writeCQLShortBytes(id)
            if version >= .v5 { $0.writeCQLShortBytes(resultMetadataID ?? [0xAB]) }
            $0.writeInteger(Int32(1))
            $0.writeInteger(Int32(bindVariables.count))
            $0.writeInteger(Int32(pkIndexes.count))
            for index in pkIndexes { $0.writeInteger(index) }
            writeColumns(bindVariables, into: &$0)
            if resultColumns.isEmpty {
                $0.writeInteger(Int32(0x0004))
                $0.writeInteger(Int32(0))
            } else {
                $0.writeInteger(Int32(0x0001))
                $0.writeInteger(Int32(resultColumns.count))
                writeColumns(resultColumns, into: &$0)
            }
        }
    }

    public static func bytes(_ frame: CQLFrame) -> [UInt8] {
        var buffer = ByteBuffer()
        CQLFrameEncoder().encode(frame, into: &buffer)
        return Array(buffer.readableBytesView)
    }
}

extension Array where Element == UInt8 {
    /// Lowercase hex digits, two per byte.
    public var hex: String { map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() }
    /// Bytes from hex digits (test literals only; traps on bad input).
    public init(hex: String) {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        self = bytes
    }
}
