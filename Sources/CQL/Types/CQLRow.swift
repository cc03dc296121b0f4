/// One row of a result: a value per column.
public struct CQLRow: Sendable, Hashable {
    /// The columns, shared by every row of a page.
    public var columns: [CQLColumn]
    /// The values, in column order.
    public var values: [CQLValue]

    public init(columns: [CQLColumn], values: [CQLValue]) {
        self.columns = columns
        self.values = values
    }

    /// The value of the column called `name`, or nil when there is no such column.
    public subscript(name: String) -> CQLValue? {
        columns.firstIndex { $0.name == name }.map { values[$0] }
    }

    /// Decodes the row into `type`, matching coding keys to column names.
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try T(from: CQLRowDecoder(row: self, codingPath: []))
    }
}
