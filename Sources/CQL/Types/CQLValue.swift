import Foundation

/// A CQL value: what a column holds or a bind variable takes.
public enum CQLValue: Sendable, Hashable {
    /// No value (a [value] of length −1).
    case null
    /// Leave the column as it is (a [value] of length −2; bind variables only).
    case unset
    case ascii(String)
    /// `text` / `varchar`.
    case text(String)
    case bigint(Int64)
    case counter(Int64)
    case int(Int32)
    case smallint(Int16)
    case tinyint(Int8)
    case varint(CQLVarint)
    case boolean(Bool)
    case float(Float)
    case double(Double)
    case decimal(CQLDecimal)
    /// Milliseconds since 1970-01-01T00:00:00Z.
    case timestamp(Int64)
    /// Days since 1970-01-01 (negative before it).
    case date(Int32)
    /// Nanoseconds since midnight.
    case time(Int64)
    case uuid(UUID)
    case timeuuid(UUID)
    case blob([UInt8])
    case inet(CQLInetAddress)
    case duration(months: Int32, days: Int32, nanoseconds: Int64)
    case list([CQLValue])
    case set([CQLValue])
    case map([CQLMapEntry])
    case tuple([CQLValue])
    /// A user-defined type value, fields in the type's order.
    case udt([CQLUDTFieldValue])
    /// The raw bytes of a custom (Java class) type.
    case custom([UInt8])

    /// Whether this is `.null`.
    public var isNull: Bool { if case .null = self { true } else { false } }
}

/// One key/value pair of a `map` value.
public struct CQLMapEntry: Sendable, Hashable {
    public var key: CQLValue
    public var value: CQLValue
    public init(key: CQLValue, value: CQLValue) {
        self.key = key
        self.value = value
    }
}

/// One named field of a user-defined type value.
public struct CQLUDTFieldValue: Sendable, Hashable {
    public var name: String
    public var value: CQLValue
    public init(name: String, value: CQLValue) {
        self.name = name
        self.value = value
    }
}

extension CQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral
{
    /// A string literal is `text`; binding to a prepared statement converts it to the column's type.
    public init(stringLiteral value: String) { self = .text(value) }
    /// An integer literal is `bigint`; binding converts it to the column's integer width.
    public init(integerLiteral value: Int64) { self = .bigint(value) }
    /// A float literal is `double`.
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    public init(nilLiteral: ()) { self = .null }
}

extension CQLValue: CustomStringConvertible {
    /// The value as text: strings as they are, timestamps and dates in ISO 8601, UUIDs lowercased.
    public var description: String {
        switch self {
        case .null: "null"
        case .unset: "unset"
        case .ascii(let text), .text(let text): text
        case .bigint(let value), .counter(let value): String(value)
        case .int(let value): String(value)
        case .smallint(let value): String(value)
        case .tinyint(let value): String(value)
        case .varint(let value): value.description
        case .boolean(let value): String(value)
        case .float(let value): String(value)
        case .double(let value): String(value)
        case .decimal(let value): value.description
        case .timestamp(let millis): CQLCalendar.formatTimestamp(milliseconds: millis)
        case .date(let days): CQLCalendar.formatDate(days: Int64(days))
        case .time(let nanos): CQLCalendar.formatTime(nanoseconds: nanos)
        case .uuid(let uuid), .timeuuid(let uuid): uuid.uuidString.lowercased()
        case .blob(let bytes), .custom(let bytes): "0x" + bytes.map { String(format: "%02x", $0) }.joined()
        case .inet(let address): address.description
        case .duration(let months, let days, let nanos): "\(months)mo\(days)d\(nanos)ns"
        case .list(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .set(let values): "{" + values.map(\.description).joined(separator: ", ") + "}"
        case .map(let entries): "{" + entries.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        case .tuple(let values): "(" + values.map(\.description).joined(separator: ", ") + ")"
        case .udt(let fields): "{" + fields.map { "\($0.name): \($0.value)" }.joined(separator: ", ") + "}"
        }
    }
}
