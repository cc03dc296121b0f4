import Foundation

/// A Swift value that has a natural CQL value; binding then converts it to the column's type.
public protocol CQLValueConvertible {
    /// The value as CQL.
    var cqlValue: CQLValue { get }
}

extension CQLValue: CQLValueConvertible {
    public var cqlValue: CQLValue { self }
}

extension String: CQLValueConvertible {
    public var cqlValue: CQLValue { .text(self) }
}

extension Int: CQLValueConvertible {
    public var cqlValue: CQLValue { .bigint(Int64(self)) }
}

extension Int64: CQLValueConvertible {
    public var cqlValue: CQLValue { .bigint(self) }
}

extension Int32: CQLValueConvertible {
    public var cqlValue: CQLValue { .int(self) }
}

extension Bool: CQLValueConvertible {
    public var cqlValue: CQLValue { .boolean(self) }
}

extension Double: CQLValueConvertible {
    public var cqlValue: CQLValue { .double(self) }
}

extension UUID: CQLValueConvertible {
    public var cqlValue: CQLValue { .uuid(self) }
}

extension Date: CQLValueConvertible {
    /// Millisecond precision, as `timestamp` stores it.
    public var cqlValue: CQLValue { .timestamp(Int64((timeIntervalSince1970 * 1000).rounded(.down))) }
}

extension Data: CQLValueConvertible {
    public var cqlValue: CQLValue { .blob(Array(self)) }
}

extension Optional: CQLValueConvertible where Wrapped: CQLValueConvertible {
    public var cqlValue: CQLValue { self?.cqlValue ?? .null }
}

extension Array: CQLValueConvertible where Element: CQLValueConvertible {
    public var cqlValue: CQLValue { .list(map(\.cqlValue)) }
}

extension Dictionary: CQLValueConvertible where Key: CQLValueConvertible, Value: CQLValueConvertible {
    public var cqlValue: CQLValue { .map(map { CQLMapEntry(key: $0.key.cqlValue, value: $0.value.cqlValue) }) }
}
