import Redaction
import CQL
import Foundation
import Logging

/// Where users are stored, parsed from a location such as `sqlite:data/users.db`.
public enum SinkLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case cassandra(CassandraSinkConfiguration)

    /// Parses `sqlite:PATH` (also a bare path ending .db/.sqlite) or `cassandra://[user:pass@]host[:port][,host…]/keyspace`; clear errors.
    public init(parsing text: String) throws(SinkConfigurationError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased().hasPrefix("cassandra:") {
            self = .cassandra(try CassandraURL.parse(trimmed))
        } else if trimmed.lowercased().hasPrefix("sqlite:") {
            var path = Substring(trimmed.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = path.dropFirst(2) }  // sqlite:///abs/path and sqlite://rel/path
            guard !path.isEmpty else { throw .missingSQLitePath }
            self = .sqlite(path: String(path))
        } else if !trimmed.contains("://"), [".db", ".sqlite", ".sqlite3"].contains(where: { trimmed.lowercased().hasSuffix($0) }) {
            self = .sqlite(path: trimmed)
        } else {
            throw .unknownSink(URLRedaction.redacted(trimmed))
        }
    }

    /// The location in the form it was parsed from, with any password shown as ****.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .cassandra(let configuration): configuration.description
        }
    }

    /// Opens the sink for writing and reading.
    public func open(logger: Logger) async throws -> any UserSink {
        switch self {
        case .sqlite(let path): try SQLiteUserSink(path: path)
        case .cassandra(let configuration): try await CassandraUserSink.connect(configuration, logger: logger)
        }
    }

    /// Idempotently creates what the sink needs: SQLite table; Cassandra keyspace (replication configurable) + table created_users (all twelve columns). Returns a one-line description of what it did.
    public func setUp(logger: Logger) async throws -> String {
        switch self {
        case .sqlite(let path):
            let sink = try SQLiteUserSink(path: path)  // creates the file and table when missing
            try await sink.close()
            return "table created_users ready in \(path)"
        case .cassandra(let configuration):
            return try await CassandraSchema.setUp(configuration, logger: logger)
        }
    }

    /// This location with its Cassandra settings changed by `change`; a SQLite location is returned as it is.
    public func withCassandraSettings(_ change: (inout CassandraSinkConfiguration) throws -> Void) rethrows -> SinkLocation {
        guard case .cassandra(var configuration) = self else { return self }
        try change(&configuration)
        return .cassandra(configuration)
    }
}
