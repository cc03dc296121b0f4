/// One cell of a collected result.
public enum SparkValue: Sendable, Equatable, Hashable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int32(Int32)
    case int64(Int64)
    case double(Double)
    case string(String)

    public var description: String {
        switch self {
        case .null: "null"
        case .bool(let value): String(value)
        case .int32(let value): String(value)
        case .int64(let value): String(value)
        case .double(let value): String(value)
        case .string(let value): value
        }
    }
}

/// One row of a collected result, with its column names.
public struct Row: Sendable, Equatable {
    /// Column names, in order.
    public let columns: [String]
    /// Values, one per column.
    public let values: [SparkValue]

    /// A row of `values` under `columns`.
    public init(columns: [String], values: [SparkValue]) {
        self.columns = columns
        self.values = values
    }

    /// The value of the column named `name`, or nil when there is no such column.
    public subscript(name: String) -> SparkValue? {
        columns.firstIndex(of: name).map { values[$0] }
    }

    /// The value at `index`.
    public subscript(index: Int) -> SparkValue { values[index] }
}
