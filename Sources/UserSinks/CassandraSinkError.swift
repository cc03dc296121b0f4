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

    /// The Cassandra error behind this one.
    public var cause: CQLError {
        switch self {
        case .unreachable(_, let error), .prepareFailed(_, let error), .writeFailed(_, _, _, let error),
             .readFailed(_, _, let error), .setupFailed(_, let error): error
        }
    }

    /// Whether Cassandra refused this user's write for that user alone, so the others can still be
    /// written: an Invalid answer (0x2200: a value the table or a guardrail refuses) other than for a
    /// missing table, keyspace or column, or a value that cannot be bound to its column's type.
    /// Unauthorized, Unavailable, timeouts and the like concern every row.
    public var isRowRefusal: Bool {
        guard case .writeFailed(_, _, _, let error) = self else { return false }
        switch error {
        case .invalidValue: return true
        case .server(let server, _) where server.code == .invalid:
            let message = server.message.lowercased()
            return !Self.wholeTableMessages.contains { message.contains($0) }
        default: return false
        }
    }

    /// How Cassandra words an Invalid answer about the table itself rather than a row's values.
    private static let wholeTableMessages = ["unconfigured table", "does not exist", "undefined column name"]

    public var description: String {
        if case .writeFailed(let userID, let table, _, let error) = self, isRowRefusal {
            return "\(table) refused user \(userID): \(error.serverError.map { "\($0)" } ?? "\(error)")"
        }
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

extension CassandraSinkError: UnrecoverableSinkError {
    /// Errors another attempt may cure (a node down, a timeout) were retried by the sink and are
    /// retried again by the stream; the rest (Unauthorized, a missing table) stop it.
    public var isUnrecoverable: Bool {
        !cause.isRetryable
    }
}
