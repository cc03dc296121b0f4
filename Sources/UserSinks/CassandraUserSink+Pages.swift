import CQL
import UserContract

extension CassandraUserSink: StoredUserPages {
    /// Pages of the table's rows as the sink's page size asks; `size` only bounds what `body` gets at once.
    public func forEachPage(size: Int, _ body: ([User]) async throws -> Void) async throws {
        try await forEachPage(CassandraUserRow.select(from: configuration.qualifiedTable, limit: nil)) { rows in
            for start in stride(from: 0, to: rows.count, by: max(1, size)) {
                try await body(rows[start..<min(start + max(1, size), rows.count)].map(CassandraUserRow.user(from:)))
            }
        }
    }

    /// Each field bound to its column's type as the INSERT binds it, then read back as a row is read.
    public var storedForm: StoredForm {
        let types = boundColumnTypes
        return StoredForm(conversions: User.CodingKeys.allCases.map { field in
            guard let type = types[field.rawValue], type != .text else { return nil }
            return { text in try? CQLValue.text(text).bound(to: type).description }
        })
    }
}
