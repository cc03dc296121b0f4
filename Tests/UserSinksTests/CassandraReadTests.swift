import CQL
import CQLTestSupport
import Testing
@testable import UserContract
@testable import UserSinks

/// `CassandraUserSink.query` and `count` against `ScriptedCQLPeer` — a scripted protocol peer, not Cassandra.
@Suite("Cassandra sink reads, against a scripted CQL peer")
struct CassandraReadTests {
    /// Answers SELECTs from `users` in pages of `pageSize`, the paging state being the next row index.
    static func pagedScript(_ users: [User], columns: [CQLColumn], pageSize: Int) -> @Sendable (ScriptedCQLPeer.Request) -> ScriptedCQLPeer.Reply {
        UsersTable.script(columns: columns, other: { request in
            guard let query = request.query, readsTheTable(query) else { return .void }
            let start = request.pagingState.map { Int($0[0]) } ?? 0
            let end = min(start + pageSize, users.count)
            let selected = columns.filter { query.contains($0.name) }
            let rows = users[start..<end].map { user in
                selected.map { column -> CQLValue in .text(user[User.CodingKeys(rawValue: column.name)!]) }
            }
            return .rows(selected, rows, pagingState: end < users.count ? [UInt8(end)] : nil)
        })
    }

    @Test("query decodes rows into users across three pages")
    func queryAcrossPages() async throws {
        let users = SampleUsers.make(7)
        let peer = try await ScriptedCQLPeer.start(script: Self.pagedScript(users, columns: UsersTable.allText, pageSize: 3))
        try await withPeer(peer) { peer in
            let sink = try await CassandraUserSink.connect(UsersTable.configuration(peer, consistency: .localQuorum, pageSize: 3), logger: CassandraUpsertTests.quiet)
            let read = try await sink.query(limit: nil)
            try await sink.close()
            #expect(read == users)
            let selects = peer.requests.filter { $0.query.map(readsTheTable) == true }
            #expect(selects.map(\.query) == Array(repeating: "SELECT id, first_name, last_name, gender, address, post_code, email, username, dob, registered_date, phone, picture FROM spark_streams.created_users", count: 3))
            #expect(selects.map(\.pagingState) == [nil, [3], [6]])
            #expect(selects.allSatisfy { $0.pageSize == 3 && $0.consistency == .localQuorum })
        }
    }

    @Test("timestamp columns read back as the ISO-8601 text they were written from")
    func timestampsReadBack() async throws {
        let users = SampleUsers.make(2, dob: "1985-12-31T23:59:59.123Z", registered: "2020-02-29T00:00:00.000Z")
        let peer = try await ScriptedCQLPeer.start(script: Self.pagedScript(users, columns: UsersTable.timestampDates, pageSize: 10))
        try await withPeer(peer) { peer in
            let sink = try await CassandraUserSink.connect(UsersTable.configuration(peer), logger: CassandraUpsertTests.quiet)
            #expect(try await sink.query(limit: nil) == users)
            try await sink.close()
        }
    }

    @Test("a limit goes into the SELECT; a limit of zero asks nothing")
    func limit() async throws {
        let users = SampleUsers.make(2)
        let peer = try await ScriptedCQLPeer.start(script: Self.pagedScript(users, columns: UsersTable.allText, pageSize: 10))
        try await withPeer(peer) { peer in
            let sink = try await CassandraUserSink.connect(UsersTable.configuration(peer), logger: CassandraUpsertTests.quiet)
            _ = try await sink.query(limit: 2)
            #expect(try await sink.query(limit: 0).isEmpty)
            try await sink.close()
            let selects = peer.requests.compactMap(\.query).filter(readsTheTable)
            #expect(selects.count == 1)
            #expect(selects.first?.hasSuffix("FROM spark_streams.created_users LIMIT 2") == true)
        }
    }

    @Test("count pages through the ids")
    func countAcrossPages() async throws {
        let users = SampleUsers.make(8)
        let peer = try await ScriptedCQLPeer.start(script: Self.pagedScript(users, columns: UsersTable.allText, pageSize: 3))
        try await withPeer(peer) { peer in
            let sink = try await CassandraUserSink.connect(UsersTable.configuration(peer, pageSize: 3), logger: CassandraUpsertTests.quiet)
            #expect(try await sink.count() == 8)
            try await sink.close()
            let selects = peer.requests.compactMap(\.query).filter(readsTheTable)
            #expect(selects == Array(repeating: "SELECT id FROM spark_streams.created_users", count: 3))
        }
    }

    @Test("a read timeout is retried; an invalid query surfaces")
    func readErrors() async throws {
        let selects = Counter()
        let peer = try await ScriptedCQLPeer.start(script: UsersTable.script(other: { request in
            guard request.query.map(readsTheTable) == true else { return .void }
            return selects.next() == 1
                ? .error(CQLServerError(code: .readTimeout, message: "timed out", details: .readTimeout(consistency: .localOne, received: 0, blockFor: 1, dataPresent: false)))
                : .error(CQLServerError(code: .invalid, message: "unconfigured table created_users"))
        }))
        try await withPeer(peer) { peer in
            let sink = try await CassandraUserSink.connect(UsersTable.configuration(peer), logger: CassandraUpsertTests.quiet)
            let error = await #expect(throws: CassandraSinkError.self) { try await sink.count() }
            guard case .readFailed(_, let attempts, let cause)? = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(attempts == 2)
            #expect(cause.serverError?.code == .invalid)
            try await sink.close()
        }
    }
}

/// A SELECT of the users table (the sink also reads system_schema when it connects).
private func readsTheTable(_ query: String) -> Bool {
    query.hasPrefix("SELECT") && query.contains("FROM spark_streams.created_users")
}
