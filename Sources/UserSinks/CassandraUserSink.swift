import CQL
import Logging
import UserContract

/// Users in a Cassandra table (`spark_streams.created_users` by default) through a prepared
/// INSERT bound by the column types the server reports. Each upsert keeps a bounded window of
/// EXECUTEs in flight and retries transient failures; it returns once every write was
/// acknowledged at the configured consistency.
public final class CassandraUserSink: UserSink {
    /// Where the users go.
    public let configuration: CassandraSinkConfiguration
    private let session: CQLSession
    private let insert: CQLPreparedStatement
    private let retry: CassandraRetry

    private init(configuration: CassandraSinkConfiguration, session: CQLSession, insert: CQLPreparedStatement, logger: Logger) {
        self.configuration = configuration
        self.session = session
        self.insert = insert
        self.retry = CassandraRetry(policy: configuration.retry, logger: logger)
    }

    /// Connects, checks the table's shape and prepares the INSERT; fails with a clear error when the table is missing or of another shape.
    public static func connect(_ configuration: CassandraSinkConfiguration, logger: Logger) async throws -> CassandraUserSink {
        let session = CQLSession(configuration: configuration.sessionConfiguration, logger: logger)
        let retry = CassandraRetry(policy: configuration.retry, logger: logger)
        do {
            try await retry.run("connect") { () async throws(CQLError) in try await session.connect() }
        } catch {
            await session.close()
            throw CassandraSinkError.unreachable(sink: configuration.description, error.error)
        }
        do {
            try await CassandraSchema.refuseOtherShape(configuration, session: session)
        } catch {
            await session.close()
            throw error
        }
        do {
            let statement = CassandraUserRow.insert(into: configuration.qualifiedTable)
            let insert = try await retry.run("PREPARE") { () async throws(CQLError) in try await session.prepare(statement) }
            logger.info("Cassandra sink ready", metadata: [
                "sink": "\(configuration)", "consistency": "\(configuration.consistency)",
                "columns": "\(insert.bindVariables.map { "\($0.name) \($0.type)" }.joined(separator: ", "))",
            ])
            return CassandraUserSink(configuration: configuration, session: session, insert: insert, logger: logger)
        } catch {
            await session.close()
            throw CassandraSinkError.prepareFailed(table: configuration.qualifiedTable, error.error)
        }
    }

    /// The column types the server reported for the INSERT's bind variables, by column name.
    public var boundColumnTypes: [String: CQLDataType] {
        Dictionary(uniqueKeysWithValues: insert.bindVariables.map { ($0.name, $0.type) })
    }

    public func upsert(_ users: [User]) async throws {
        // Concurrent writes of one id could land in either order; one task writes each id's
        // versions, the newest the server takes.
        var versions: [String: [Int]] = [:]
        for (index, user) in users.enumerated() { versions[user.id, default: []].append(index) }
        let ids = users.indices.compactMap { versions[users[$0].id]?.last == $0 ? users[$0].id : nil }
        guard !ids.isEmpty else { return }
        let window = configuration.maximumInFlight
        var refused: [SinkRowsRefused.Refusal] = []
        try await withThrowingTaskGroup(of: [SinkRowsRefused.Refusal].self) { group in
            var next = 0
            func startNext() {
                let indices = versions[ids[next]] ?? []
                next += 1
                group.addTask { try await self.writeNewestAccepted(indices, of: users) }
            }
            while next < min(window, ids.count) { startNext() }
            while let refusals = try await group.next() {
                refused += refusals
                if next < ids.count { startNext() }
            }
        }
        if !refused.isEmpty { throw SinkRowsRefused(refused) }
    }

    /// Writes the newest of one id's versions (`indices` into `users`, oldest first) that Cassandra
    /// takes, as SQLite would keep the last row it did not refuse; returns the newer ones it refused.
    private func writeNewestAccepted(_ indices: [Int], of users: [User]) async throws -> [SinkRowsRefused.Refusal] {
        var refused: [SinkRowsRefused.Refusal] = []
        for index in indices.reversed() {
            do {
                try await write(users[index])
                return refused
            } catch let error as CassandraSinkError where error.isRowRefusal {
                refused.append(SinkRowsRefused.Refusal(index: index, error: error))
            }
        }
        return refused
    }

    public func count() async throws -> Int {
        var total = 0
        try await forEachPage(CassandraUserRow.select(from: configuration.qualifiedTable, limit: nil, columns: ["id"])) { total += $0.count }
        return total
    }

    public func query(limit: Int?) async throws -> [User] {
        if let limit, limit <= 0 { return [] }
        var users: [User] = []
        try await forEachPage(CassandraUserRow.select(from: configuration.qualifiedTable, limit: limit)) { rows in
            users += rows.map(CassandraUserRow.user(from:))
        }
        return users
    }

    public func close() async throws {
        await session.close()
    }

    private func write(_ user: User) async throws {
        let values = CassandraUserRow.values(of: user)
        let options = CQLStatementOptions(isIdempotent: true)
        do {
            _ = try await retry.run("INSERT user \(user.id)") { () async throws(CQLError) in
                try await session.execute(insert, values: values, consistency: configuration.consistency, options: options)
            }
        } catch {
            throw CassandraSinkError.writeFailed(userID: user.id, table: configuration.qualifiedTable, attempts: error.attempts, error.error)
        }
    }

    /// Runs a SELECT page by page; each page is retried on its own, from its paging state.
    func forEachPage(_ cql: String, _ body: ([CQLRow]) async throws -> Void) async throws {
        var options = CQLStatementOptions(isIdempotent: true, pageSize: configuration.pageSize)
        while true {
            let pageOptions = options
            let page: CQLQueryResult
            do {
                page = try await retry.run("SELECT") { () async throws(CQLError) in
                    try await session.query(cql, consistency: configuration.consistency, options: pageOptions)
                }
            } catch {
                throw CassandraSinkError.readFailed(table: configuration.qualifiedTable, attempts: error.attempts, error.error)
            }
            try await body(page.rows)
            guard let state = page.pagingState else { return }
            options.pagingState = state
        }
    }
}
