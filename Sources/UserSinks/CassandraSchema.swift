import CQL
import Logging

/// Creates the keyspace and the users table when missing: the seed's shape, `id uuid PRIMARY KEY`
/// and the other eleven contract columns (`dob` included) as text. Schema agreement is awaited
/// after each change, so writers that start next find the table on every node.
enum CassandraSchema {
    static func createKeyspace(_ configuration: CassandraSinkConfiguration) -> String {
        "CREATE KEYSPACE IF NOT EXISTS \(configuration.keyspace) WITH replication = \(configuration.replication.cqlMap)"
    }

    static func createTable(_ configuration: CassandraSinkConfiguration) -> String {
        let columns = ["id uuid PRIMARY KEY"] + CassandraUserRow.columns.dropFirst().map { "\($0) text" }
        return "CREATE TABLE IF NOT EXISTS \(configuration.qualifiedTable) (\(columns.joined(separator: ", ")))"
    }

    /// The stream processors' role: created when missing, its password set (so a rotated password
    /// takes effect on the next setup), and allowed to read and write the users table only. Each
    /// statement comes with the form that may be logged, its password masked.
    static func streamRoleStatements(_ role: CQLCredentials, table: String) -> [(statement: String, shown: String)] {
        let password = "'" + role.password.replacingOccurrences(of: "'", with: "''") + "'"
        return [
            "CREATE ROLE IF NOT EXISTS \(role.username) WITH PASSWORD = \(password) AND LOGIN = true",
            "ALTER ROLE \(role.username) WITH PASSWORD = \(password) AND LOGIN = true",
            "GRANT SELECT ON TABLE \(table) TO \(role.username)",
            "GRANT MODIFY ON TABLE \(table) TO \(role.username)",
        ].map { ($0, $0.replacingOccurrences(of: password, with: "'****'")) }
    }

    /// Runs the statements; returns one line saying what was created and what already existed.
    static func setUp(_ configuration: CassandraSinkConfiguration, logger: Logger) async throws -> String {
        let session = CQLSession(configuration: configuration.sessionConfiguration, logger: logger)
        let retry = CassandraRetry(policy: configuration.retry, logger: logger)
        /// Sends an idempotent statement with retries; `shown` is its loggable form (passwords masked).
        func run(_ statement: String, shown: String) async throws -> CQLQueryResult {
            do {
                return try await retry.run(shown) { () async throws(CQLError) in
                    try await session.query(statement, consistency: configuration.consistency,
                                            options: CQLStatementOptions(isIdempotent: true))
                }
            } catch {
                throw CassandraSinkError.setupFailed(statement: shown, error.error)
            }
        }
        var outcome: [String] = []
        do {
            for (statement, what) in [(createKeyspace(configuration), "keyspace \(configuration.keyspace) (\(configuration.replication))"),
                                      (createTable(configuration), "table \(configuration.qualifiedTable)")] {
                // IF NOT EXISTS makes a repeat harmless, so a timed-out DDL may be sent again.
                let result = try await run(statement, shown: statement)
                // Cassandra answers a statement that changed nothing with a Void result.
                outcome.append(result.schemaChange == nil ? "\(what) already existed" : "created \(what)")
                logger.info("Cassandra setup", metadata: ["statement": "\(statement)", "changed": "\(result.schemaChange != nil)"])
            }
            try await refuseOtherShape(configuration, session: session)
            if let role = configuration.streamRole {
                for (statement, shown) in streamRoleStatements(role, table: configuration.qualifiedTable) {
                    // Each is harmless to repeat: IF NOT EXISTS, the same password, the same grant.
                    _ = try await run(statement, shown: shown)
                    logger.info("Cassandra setup", metadata: ["statement": "\(shown)"])
                }
                outcome.append("role \(role.username) may read and write \(configuration.qualifiedTable) only")
            }
        } catch {
            await session.close()
            throw error
        }
        await session.close()
        return "Cassandra \(configuration): " + outcome.joined(separator: "; ")
    }

    /// Throws `SinkTableMismatch` when the table exists with other columns or another key than the
    /// sink writes. A server that lists no columns for it (no such table, or no system_schema)
    /// passes: the INSERT's PREPARE then says what is missing.
    static func refuseOtherShape(_ configuration: CassandraSinkConfiguration, session: CQLSession) async throws {
        // Unquoted names are stored in lower case; both were checked to be plain identifiers.
        let cql = "SELECT column_name, kind FROM system_schema.columns WHERE keyspace_name = "
            + "'\(configuration.keyspace.lowercased())' AND table_name = '\(configuration.table.lowercased())'"
        guard let rows = try? await session.queryAll(cql, consistency: configuration.consistency) else { return }
        let columns = rows.compactMap { row -> SinkTableShape.Column? in
            guard case .text(let name)? = row["column_name"], case .text(let kind)? = row["kind"] else { return nil }
            return SinkTableShape.Column(name: name, isKey: kind == "partition_key" || kind == "clustering")
        }
        guard !columns.isEmpty else { return }
        let differences = SinkTableShape(columns: columns).differences(from: CassandraUserRow.columns)
        guard differences.isEmpty else { throw SinkTableMismatch(table: configuration.qualifiedTable, differences: differences) }
    }
}
