import NIOCore

/// A column or bind-variable type as the server describes it with an [option] (section 4.2.5.2).
public indirect enum CQLDataType: Sendable, Hashable, CustomStringConvertible {
    case custom(String)
    case ascii
    case bigint
    case blob
    case boolean
    case counter
    case decimal
    case double
    case float
    case int
    case timestamp
    case uuid
    /// `text`, also called `varchar`.
    case text
    case varint
    case timeuuid
    case inet
    case date
    case time
    case smallint
    case tinyint
    case duration
    case list(CQLDataType)
    case map(CQLDataType, CQLDataType)
    case set(CQLDataType)
    case udt(keyspace: String, name: String, fields: [CQLUDTField])
    case tuple([CQLDataType])

    /// The type as CQL spells it, e.g. `map<text, int>`.
    public var description: String {
        switch self {
        case .custom(let className): "'\(className)'"
        case .ascii: "ascii"
        case .bigint: "bigint"
        case .blob: "blob"
        case .boolean: "boolean"
        case .counter: "counter"
        case .decimal: "decimal"
        case .double: "double"
        case .float: "float"
        case .int: "int"
        case .timestamp: "timestamp"
        case .uuid: "uuid"
        case .text: "text"
        case .varint: "varint"
        case .timeuuid: "timeuuid"
        case .inet: "inet"
        case .date: "date"
        case .time: "time"
        case .smallint: "smallint"
        case .tinyint: "tinyint"
        case .duration: "duration"
        case .list(let element): "list<\(element)>"
        case .map(let key, let value): "map<\(key), \(value)>"
        case .set(let element): "set<\(element)>"
        case .udt(let keyspace, let name, _): "\(keyspace).\(name)"
        case .tuple(let elements): "tuple<\(elements.map(\.description).joined(separator: ", "))>"
        }
    }
}

/// One field of a user-defined type.
public struct CQLUDTField: Sendable, Hashable {
    public var name: String
    public var type: CQLDataType
    public init(name: String, type: CQLDataType) {
        self.name = name
        self.type = type
    }
}

extension ByteBuffer {
    /// Reads an [option] describing a data type.
    public mutating func readCQLDataType() throws(CQLError) -> CQLDataType {
        guard let id = readInteger(as: UInt16.self) else { throw .truncated("type [option]") }
        switch id {
        case 0x0000:
            guard let className = readCQLString() else { throw .truncated("custom type class name") }
            return .custom(className)
        case 0x0001: return .ascii
        case 0x0002: return .bigint
        case 0x0003: return .blob
        case 0x0004: return .boolean
        case 0x0005: return .counter
        case 0x0006: return .decimal
        case 0x0007: return .double
        case 0x0008: return .float
        case 0x0009: return .int
        case 0x000B: return .timestamp
        case 0x000C: return .uuid
        case 0x000D: return .text
        case 0x000E: return .varint
        case 0x000F: return .timeuuid
        case 0x0010: return .inet
        case 0x0011: return .date
        case 0x0012: return .time
        case 0x0013: return .smallint
        case 0x0014: return .tinyint
        case 0x0015: return .duration
        case 0x0020: return .list(try readCQLDataType())
        case 0x0021:
            let key = try readCQLDataType()
            return .map(key, try readCQLDataType())
        case 0x0022: return .set(try readCQLDataType())
        case 0x0030:
            guard let keyspace = readCQLString(), let name = readCQLString(),
                  let count = readInteger(as: UInt16.self) else { throw .truncated("UDT type") }
            var fields: [CQLUDTField] = []
            for _ in 0..<count {
                guard let fieldName = readCQLString() else { throw .truncated("UDT field name") }
                fields.append(CQLUDTField(name: fieldName, type: try readCQLDataType()))
            }
            return .udt(keyspace: keyspace, name: name, fields: fields)
        case 0x0031:
            guard let count = readInteger(as: UInt16.self) else { throw .truncated("tuple type") }
            var elements: [CQLDataType] = []
            for _ in 0..<count { elements.append(try readCQLDataType()) }
            return .tuple(elements)
        default:
            throw .protocolViolation("unknown type id 0x\(String(id, radix: 16)) in column metadata")
        }
    }

    /// Writes an [option] describing a data type.
    public mutating func writeCQLDataType(_ type: CQLDataType) {
        func id(_ value: UInt16) { writeInteger(value) }
        switch type {
        case .custom(let className): id(0x0000); writeCQLString(className)
        case .ascii: id(0x0001)
        case .bigint: id(0x0002)
        case .blob: id(0x0003)
        case .boolean: id(0x0004)
        case .counter: id(0x0005)
        case .decimal: id(0x0006)
        case .double: id(0x0007)
        case .float: id(0x0008)
        case .int: id(0x0009)
        case .timestamp: id(0x000B)
        case .uuid: id(0x000C)
        case .text: id(0x000D)
        case .varint: id(0x000E)
        case .timeuuid: id(0x000F)
        case .inet: id(0x0010)
        case .date: id(0x0011)
        case .time: id(0x0012)
        case .smallint: id(0x0013)
        case .tinyint: id(0x0014)
        case .duration: id(0x0015)
        case .list(let element): id(0x0020); writeCQLDataType(element)
        case .map(let key, let value): id(0x0021); writeCQLDataType(key); writeCQLDataType(value)
        case .set(let element): id(0x0022); writeCQLDataType(element)
        case .udt(let keyspace, let name, let fields):
            id(0x0030)
            writeCQLString(keyspace)
            writeCQLString(name)
            writeInteger(UInt16(fields.count))
            for field in fields {
                writeCQLString(field.name)
                writeCQLDataType(field.type)
            }
        case .tuple(let elements):
            id(0x0031)
            writeInteger(UInt16(elements.count))
            for element in elements { writeCQLDataType(element) }
        }
    }
}
