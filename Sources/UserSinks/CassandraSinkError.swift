import CQL

/// Why the Cassandra sink could not do what it was asked; each case names the table and what to try.
public enum CassandraSinkError: Error, Sendable, CustomStringConvertible {
    /// No node of the sink (shown without its password) accepted a connection.
    case unreachable(sink: String, CQLError)
    /// The INSERT could not be prepared, usually because the table is missing or lacks a column.
    case prepareFailed(table: String, CQLError)
    /// A user could not be written, after `attempts` tries when the error was transient.
    case writeFailed(userID: String, table: String, attempts: Int, CQLError)
    /// Reading the table failed.
    case readFailed(table: String, attempts: Int, CQLError)
    /// Creating the keyspace or table failed.
    case setupFailed(statement: String, CQLError)

    /// Whether Cassandra refused the INSERT as a statement, which means the table is missing or has other columns.
    public var isTableMissingOrDifferent: Bool {
        guard case .prepareFailed(_, let error) = self, let code = error.serverError?.code else { return false }
        return code == .invalid || code == .syntaxError
    }

    public var description: String {
        switch self {
        case .unreachable(let sink, let error):
            return "cannot connect to Cassandra at \(sink): \(error)"
        case .prepareFailed(let table, let error):
            return "cannot prepare the INSERT into \(table): \(error)"
        case .writeFailed(let userID, let table, let attempts, let error):
            let tries = attempts > 1 ? " after \(attempts) attempts" : ""
            return "writing user \(userID) to \(table) failed\(tries): \(error)"
        case .readFailed(let table, let attempts, let error):
            let tries = attempts > 1 ? " after \(attempts) attempts" : ""
            return "reading \(table) failed\(tries): \(error)"
        case .setupFailed(let statement, let error):
            return "\(statement) failed: \(error) — check that the user may create keyspaces, tables and roles"
        }
    }
}
