import CQL
import CQLTestSupport
import Foundation
import Testing
@testable import UserContract
@testable import UserSinks

/// Reading a whole sink page by page, as `userstream verify` does: SQLite by key, Cassandra
/// against `ScriptedCQLPeer` (a scripted protocol peer, not Cassandra) with its paging state.
@Suite("Stored users read page by page")
struct StoredUserPagesTests {
    @Test("Cassandra: every row across the server's pages, in pages no larger than asked")
    func cassandraPages() async throws {
        let users = SampleUsers.make(7)
        let peer = try await ScriptedCQLPeer.start(script: CassandraReadTests.pagedScript(users, columns: UsersTable.allText, pageSize: 3))
        try await withPeer(peer) { peer in
            let sink = try await CassandraUserSink.connect(UsersTable.configuration(peer, pageSize: 3), logger: CassandraUpsertTests.quiet)
            var pages: [[User]] = []
            try await sink.forEachPage(size: 2) { pages.append($0) }
            try await sink.close()
            #expect(pages.flatMap { $0 } == users)
            #expect(pages.allSatisfy { $0.count <= 2 })
            let selects = peer.requests.filter { $0.query?.contains("FROM spark_streams.created_users") == true }
            #expect(selects.map(\.pagingState) == [nil, [3], [6]])
        }
    }

    @Test("Cassandra: a user reads back as the column types make it, text as given")
    func cassandraStoredForm() async throws {
        let peer = try await ScriptedCQLPeer.start(script: CassandraReadTests.pagedScript([], columns: UsersTable.timestampDates, pageSize: 3))
        try await withPeer(peer) { peer in
            let sink = try await CassandraUserSink.connect(UsersTable.configuration(peer), logger: CassandraUpsertTests.quiet)
            var user = SampleUsers.make(1)[0]
            user.dob = "1985-12-31T23:59:59Z"
            let stored = sink.storedForm.of(user)
            try await sink.close()
            #expect(stored.dob == "1985-12-31T23:59:59.000Z")
            #expect(stored.firstName == user.firstName)
            #expect(stored.id == user.id)
        }
    }

    @Test("SQLite: every row in id order, each page a read of its own; text reads back as written")
    func sqlitePages() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pages-\(UUID().uuidString).db").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let users = SampleUsers.make(5)
        let writer = try SQLiteUserSink(path: path)
        try await writer.upsert(users.reversed())
        try await writer.close()
        let reader = try await SinkLocation.sqlite(path: path).openForReading(logger: CassandraUpsertTests.quiet)
        var pages: [[User]] = []
        try await reader.forEachPage(size: 2) { pages.append($0) }
        #expect(reader.storedForm.of(users[0]) == users[0])
        try await reader.close()
        #expect(pages.map(\.count) == [2, 2, 1])
        #expect(pages.flatMap { $0 } == users.sorted { $0.id < $1.id })
    }
}
