import NIOCore

/// A column of a result set or a bind variable of a prepared statement.
public struct CQLColumn: Sendable, Hashable {
    public var keyspace: String
    public var table: String
    public var name: String
    public var type: CQLDataType
    public init(keyspace: String, table: String, name: String, type: CQLDataType) {
        self.keyspace = keyspace
        self.table = table
        self.name = name
        self.type = type
    }
}

/// The <metadata> of a Rows result (section 4.2.5.2).
public struct CQLRowsMetadata: Sendable, Hashable {
    /// The columns; empty when the server sent No_metadata.
    public var columns: [CQLColumn]
    /// The column count, present even with No_metadata.
    public var columnCount: Int
    /// Set when more pages follow.
    public var pagingState: [UInt8]?
    /// Set (v5) when the result metadata of a prepared statement changed.
    public var newMetadataID: [UInt8]?

    public init(columns: [CQLColumn], columnCount: Int? = nil, pagingState: [UInt8]? = nil, newMetadataID: [UInt8]? = nil) {
        self.columns = columns
        self.columnCount = columnCount ?? columns.count
        self.pagingState = pagingState
        self.newMetadataID = newMetadataID
    }
}

/// One page of rows.
public struct CQLRows: Sendable, Hashable {
    /// The columns the rows hold.
    public var columns: [CQLColumn]
    /// The rows, each with one value per column.
    public var rows: [CQLRow]
    /// Pass to the next request to fetch the following page; nil on the last page.
    public var pagingState: [UInt8]?
    /// The new result metadata id (v5) when the server reported a change.
    public var newMetadataID: [UInt8]?
}

/// A prepared statement as the server described it.
public struct CQLPreparedResult: Sendable, Hashable {
    /// The statement id to EXECUTE.
    public var id: [UInt8]
    /// The result metadata id (v5 only).
    public var resultMetadataID: [UInt8]?
    /// The bind variables, in order, with the types the server expects.
    public var bindVariables: [CQLColumn]
    /// Indexes of bind variables that make up the partition key.
    public var partitionKeyIndexes: [UInt16]
    /// The columns a SELECT returns; empty for other statements.
    public var resultColumns: [CQLColumn]
}

/// A Schema_change result (section 4.2.5.5).
public struct CQLSchemaChange: Sendable, Hashable {
    /// CREATED, UPDATED or DROPPED.
    public var change: String
    /// KEYSPACE, TABLE, TYPE, FUNCTION or AGGREGATE.
    public var target: String
    public var keyspace: String
    /// The table, type, function or aggregate name; nil for a keyspace.
    public var name: String?
    /// Argument types of a function or aggregate.
    public var argumentTypes: [String]

    public init(change: String, target: String, keyspace: String, name: String? = nil, argumentTypes: [String] = []) {
        self.change = change
        self.target = target
        self.keyspace = keyspace
        self.name = name
        self.argumentTypes = argumentTypes
    }
}

/// A RESULT message.
public enum CQLResult: Sendable, Hashable {
    case void
    case rows(CQLRows)
    case setKeyspace(String)
    case prepared(CQLPreparedResult)
    case schemaChange(CQLSchemaChange)

    /// Decodes a RESULT body; `knownColumns` decodes rows sent without metadata.
    static func decode(_ body: inout ByteBuffer, version: CQLProtocolVersion, knownColumns: [CQLColumn]?) throws(CQLError) -> CQLResult {
        guard let kind = body.readInteger(as: Int32.self) else { throw .truncated("RESULT kind") }
        switch kind {
        case 0x0001:
            return .void
        case 0x0002:
            let metadata = try body.readCQLRowsMetadata()
            var columns = metadata.columns
            if columns.isEmpty && metadata.columnCount > 0 {
                guard let knownColumns, knownColumns.count == metadata.columnCount else {
                    throw .protocolViolation("rows arrived without metadata and the client has no matching column types")
                }
                columns = knownColumns
            }
            guard let rowCount = body.readInteger(as: Int32.self), rowCount >= 0 else { throw .truncated("row count") }
            let shared = columns
            var rows: [CQLRow] = []
            rows.reserveCapacity(Int(rowCount))
            for _ in 0..<rowCount {
                var values: [CQLValue] = []
                values.reserveCapacity(columns.count)
                for column in columns {
                    guard let cell = body.readCQLBytesSlice() else { throw .truncated("cell of column \(column.name)") }
                    do {
                        values.append(try CQLValue.decode(cell, as: column.type))
                    } catch {
                        throw .invalidValue("column \(column.name) (\(column.type)): \(error)")
                    }
                }
                rows.append(CQLRow(columns: shared, values: values))
            }
            return .rows(CQLRows(columns: columns, rows: rows, pagingState: metadata.pagingState, newMetadataID: metadata.newMetadataID))
        case 0x0003:
            guard let keyspace = body.readCQLString() else { throw .truncated("Set_keyspace") }
            return .setKeyspace(keyspace)
        case 0x0004:
            guard let id = body.readCQLShortBytes() else { throw .truncated("prepared id") }
            var resultMetadataID: [UInt8]?
            if version.usesPreparedMetadataID {
                guard let metadataID = body.readCQLShortBytes() else { throw .truncated("result metadata id") }
                resultMetadataID = metadataID
            }
            guard let flags = body.readInteger(as: Int32.self), let count = body.readInteger(as: Int32.self),
                  let pkCount = body.readInteger(as: Int32.self), count >= 0, pkCount >= 0 else { throw .truncated("prepared metadata") }
            var pkIndexes: [UInt16] = []
            for _ in 0..<pkCount {
                guard let index = body.readInteger(as: UInt16.self) else { throw .truncated("partition key index") }
                pkIndexes.append(index)
            }
            let bindVariables = try body.readCQLColumnSpecs(count: Int(count), globalTableSpec: flags & 0x0001 != 0)
            let resultMetadata = try body.readCQLRowsMetadata()
            return .prepared(CQLPreparedResult(id: id, resultMetadataID: resultMetadataID, bindVariables: bindVariables,
                                               partitionKeyIndexes: pkIndexes, resultColumns: resultMetadata.columns))
        case 0x0005:
            guard let change = body.readCQLString(), let target = body.readCQLString(), let keyspace = body.readCQLString() else {
                throw .truncated("Schema_change")
            }
            var schemaChange = CQLSchemaChange(change: change, target: target, keyspace: keyspace)
            if target != "KEYSPACE" {
                guard let name = body.readCQLString() else { throw .truncated("Schema_change name") }
                schemaChange.name = name
                if target == "FUNCTION" || target == "AGGREGATE" {
                    guard let types = body.readCQLStringList() else { throw .truncated("Schema_change argument types") }
                    schemaChange.argumentTypes = types
                }
            }
            return .schemaChange(schemaChange)
        default:
            throw .protocolViolation("unknown RESULT kind \(kind)")
        }
    }
}

extension ByteBuffer {
    mutating func readCQLRowsMetadata() throws(CQLError) -> CQLRowsMetadata {
        guard let flags = readInteger(as: Int32.self), let count = readInteger(as: Int32.self), count >= 0 else {
            throw .truncated("rows metadata")
        }
        var metadata = CQLRowsMetadata(columns: [], columnCount: Int(count))
        if flags & 0x0002 != 0 {
            guard let state = readCQLBytes() else { throw .truncated("paging state") }
            metadata.pagingState = state
        }
        if flags & 0x0008 != 0 {
            guard let id = readCQLShortBytes() else { throw .truncated("new metadata id") }
            metadata.newMetadataID = id
        }
        if flags & 0x0004 == 0 {
            metadata.columns = try readCQLColumnSpecs(count: Int(count), globalTableSpec: flags & 0x0001 != 0)
        }
        return metadata
    }

    mutating func readCQLColumnSpecs(count: Int, globalTableSpec: Bool) throws(CQLError) -> [CQLColumn] {
        var keyspace = "", table = ""
        if globalTableSpec && count > 0 {
            guard let ks = readCQLString(), let tb = readCQLString() else { throw .truncated("global table spec") }
            (keyspace, table) = (ks, tb)
        }
        var columns: [CQLColumn] = []
        for _ in 0..<count {
            var columnKeyspace = keyspace, columnTable = table
            if !globalTableSpec {
                guard let ks = readCQLString(), let tb = readCQLString() else { throw .truncated("column table spec") }
                (columnKeyspace, columnTable) = (ks, tb)
            }
            guard let name = readCQLString() else { throw .truncated("column name") }
            columns.append(CQLColumn(keyspace: columnKeyspace, table: columnTable, name: name, type: try readCQLDataType()))
        }
        return columns
    }
}
