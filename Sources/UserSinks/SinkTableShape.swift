/// What an existing users table must look like for the sink to write it: every contract column,
/// `id` alone as the key, and no other column a write would leave empty against a NOT NULL
/// constraint. A table of another shape fails every write the same way, so it is refused at start.
public struct SinkTableShape: Sendable, Equatable {
    /// One column as the database describes it.
    public struct Column: Sendable, Equatable {
        public var name: String
        /// Part of the primary key (SQLite) or of the partition or clustering key (Cassandra).
        public var isKey: Bool
        /// NOT NULL without a default: an insert that leaves it out fails.
        public var isRequired: Bool

        public init(name: String, isKey: Bool, isRequired: Bool = false) {
            self.name = name
            self.isKey = isKey
            self.isRequired = isRequired
        }
    }

    public var columns: [Column]

    public init(columns: [Column]) {
        self.columns = columns
    }

    /// How this table differs from one with `expected` columns keyed by the first; empty when it fits.
    /// Column names compare without regard to case, as both databases do.
    public func differences(from expected: [String]) -> [String] {
        let byName = Dictionary(columns.map { ($0.name.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        let wanted = Set(expected.map { $0.lowercased() })
        var found: [String] = []
        let missing = expected.filter { byName[$0.lowercased()] == nil }
        if !missing.isEmpty { found.append("missing column\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", "))") }
        let keys = columns.filter(\.isKey).map(\.name)
        if let id = expected.first, keys.map({ $0.lowercased() }) != [id.lowercased()] {
            found.append("its key is \(keys.isEmpty ? "none" : "(\(keys.joined(separator: ", ")))") instead of \(id) alone")
        }
        let required = columns.filter { $0.isRequired && !$0.isKey && !wanted.contains($0.name.lowercased()) }.map(\.name)
        if !required.isEmpty {
            found.append("extra NOT NULL column\(required.count == 1 ? "" : "s") without a default: \(required.joined(separator: ", "))")
        }
        return found
    }
}

/// The users table exists with another shape: every write would fail the same way, so the sink refuses it at start.
public struct SinkTableMismatch: Error, Sendable, Equatable, CustomStringConvertible {
    /// The table, with where it is.
    public var table: String
    public var differences: [String]

    public init(table: String, differences: [String]) {
        self.table = table
        self.differences = differences
    }

    public var description: String {
        "table \(table) is not the shape userstream writes: \(differences.joined(separator: "; "))"
    }
}
