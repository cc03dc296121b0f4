import CQL
import CQLTestSupport
import Testing
@testable import UserSinks

/// `SinkLocation.setUp` for Cassandra against `ScriptedCQLPeer` — a scripted protocol peer, not Cassandra.
@Suite("Cassandra setup, against a scripted CQL peer")
struct CassandraSetupTests {
    static let createTable = "CREATE TABLE IF NOT EXISTS spark_streams.created_users (id uuid PRIMARY KEY, first_name text, last_name text, gender text, address text, post_code text, email text, username text, dob text, registered_date text, phone text, picture text)"

    /// Answers CREATE with a schema change (or Void when `exists`) and the schema-version queries with one version.
    static func script(exists: Bool) -> @Sendable (ScriptedCQLPeer.Request) -> ScriptedCQLPeer.Reply {
        let local = [CQLColumn(keyspace: "system", table: "local", name: "schema_version", type: .uuid)]
        return { request in
            let query = request.query ?? ""
            if query.hasPrefix("CREATE KEYSPACE") && !exists {
                return .frame { CQLResponseWriter.schemaChange(CQLSchemaChange(change: "CREATED", target: "KEYSPACE", keyspace: "spark_streams"), stream: $0, version: $1) }
            }
            if query.hasPrefix("CREATE TABLE") && !exists {
                return .frame { CQLResponseWriter.schemaChange(CQLSchemaChange(change: "CREATED", target: "TABLE", keyspace: "spark_streams", name: "created_users"), stream: $0, version: $1) }
            }
            if query.contains("system.local") { return .rows(local, [[.text("11111111-1111-1111-1111-111111111111")]]) }
            return .void
        }
    }

    @Test("setup creates the keyspace with SimpleStrategy 1 and the table with all twelve columns, awaiting schema agreement")
    func createsKeyspaceAndTable() async throws {
        let peer = try await ScriptedCQLPeer.start(script: Self.script(exists: false))
        try await withPeer(peer) { peer in
            let location = SinkLocation.cassandra(UsersTable.configuration(peer))
            let summary = try await location.setUp(logger: CassandraUpsertTests.quiet)
            let queries = peer.requests.compactMap(\.query)
            let ddl = queries.filter { $0.hasPrefix("CREATE") }
            #expect(ddl == ["CREATE KEYSPACE IF NOT EXISTS spark_streams WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}", Self.createTable])
            // Each schema change is followed by a schema-version check before the next statement.
            let keyspaceIndex = try #require(queries.firstIndex { $0.hasPrefix("CREATE KEYSPACE") })
            let tableIndex = try #require(queries.firstIndex { $0.hasPrefix("CREATE TABLE") })
            #expect(queries[keyspaceIndex..<tableIndex].contains { $0.contains("system.local") })
            #expect(queries[tableIndex...].contains { $0.contains("system.local") })
            #expect(summary.contains("created keyspace spark_streams (SimpleStrategy:1)"))
            #expect(summary.contains("created table spark_streams.created_users"))
        }
    }

    @Test("setup uses the configured replication")
    func networkTopologyReplication() async throws {
        let peer = try await ScriptedCQLPeer.start(script: Self.script(exists: false))
        try await withPeer(peer) { peer in
            var configuration = UsersTable.configuration(peer)
            configuration.replication = try CassandraReplication(parsing: "NetworkTopologyStrategy:dc2=2,dc1=3")
            _ = try await SinkLocation.cassandra(configuration).setUp(logger: CassandraUpsertTests.quiet)
            #expect(peer.requests.compactMap(\.query).first { $0.hasPrefix("CREATE KEYSPACE") }
                == "CREATE KEYSPACE IF NOT EXISTS spark_streams WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': 3, 'dc2': 2}")
        }
    }

    @Test("setup against an existing schema says so and changes nothing")
    func idempotent() async throws {
        let peer = try await ScriptedCQLPeer.start(script: Self.script(exists: true))
        try await withPeer(peer) { peer in
            let summary = try await SinkLocation.cassandra(UsersTable.configuration(peer)).setUp(logger: CassandraUpsertTests.quiet)
            #expect(summary.contains("keyspace spark_streams (SimpleStrategy:1) already existed"))
            #expect(summary.contains("table spark_streams.created_users already existed"))
        }
    }

    @Test("a refused CREATE surfaces with the statement and the server's message")
    func refused() async throws {
        let peer = try await ScriptedCQLPeer.start { request in
            request.query?.hasPrefix("CREATE KEYSPACE") == true
                ? .error(CQLServerError(code: .unauthorized, message: "User bob has no CREATE permission on <all keyspaces>"))
                : .void
        }
        try await withPeer(peer) { peer in
            let error = await #expect(throws: CassandraSinkError.self) {
                try await SinkLocation.cassandra(UsersTable.configuration(peer)).setUp(logger: CassandraUpsertTests.quiet)
            }
            #expect("\(error!)".contains("CREATE KEYSPACE IF NOT EXISTS spark_streams"))
            #expect("\(error!)".contains("has no CREATE permission"))
            #expect(peer.requests.compactMap(\.query).allSatisfy { !$0.hasPrefix("CREATE TABLE") })
        }
    }

    static let role = CQLCredentials(username: "userstream_stream", password: "it's-a-secret")

    @Test("setup with a stream role creates it, sets its password again and grants it the users table only")
    func streamRole() async throws {
        let peer = try await ScriptedCQLPeer.start(script: Self.script(exists: true))
        try await withPeer(peer) { peer in
            var configuration = UsersTable.configuration(peer)
            configuration.streamRole = Self.role
            let summary = try await SinkLocation.cassandra(configuration).setUp(logger: CassandraUpsertTests.quiet)
            let statements = peer.requests.compactMap(\.query).filter { $0.contains(" ROLE ") || $0.hasPrefix("GRANT") }
            #expect(statements == [
                "CREATE ROLE IF NOT EXISTS userstream_stream WITH PASSWORD = 'it''s-a-secret' AND LOGIN = true",
                "ALTER ROLE userstream_stream WITH PASSWORD = 'it''s-a-secret' AND LOGIN = true",
                "GRANT SELECT ON TABLE spark_streams.created_users TO userstream_stream",
                "GRANT MODIFY ON TABLE spark_streams.created_users TO userstream_stream",
            ])
            #expect(summary.contains("role userstream_stream may read and write spark_streams.created_users only"))
            #expect(!summary.contains("secret"))
        }
    }

    @Test("setup without a stream role makes none")
    func noStreamRole() async throws {
        let peer = try await ScriptedCQLPeer.start(script: Self.script(exists: true))
        try await withPeer(peer) { peer in
            _ = try await SinkLocation.cassandra(UsersTable.configuration(peer)).setUp(logger: CassandraUpsertTests.quiet)
            #expect(peer.requests.compactMap(\.query).allSatisfy { !$0.contains(" ROLE ") && !$0.hasPrefix("GRANT") })
        }
    }

    @Test("a refused role statement surfaces with the server's message and the password masked")
    func refusedRole() async throws {
        let peer = try await ScriptedCQLPeer.start { request in
            request.query?.hasPrefix("CREATE ROLE") == true
                ? .error(CQLServerError(code: .unauthorized, message: "User bob does not have sufficient privileges to perform the requested operation"))
                : .void
        }
        try await withPeer(peer) { peer in
            var configuration = UsersTable.configuration(peer)
            configuration.streamRole = Self.role
            let error = await #expect(throws: CassandraSinkError.self) {
                try await SinkLocation.cassandra(configuration).setUp(logger: CassandraUpsertTests.quiet)
            }
            #expect("\(error!)".contains("CREATE ROLE IF NOT EXISTS userstream_stream WITH PASSWORD = '****' AND LOGIN = true"))
            #expect("\(error!)".contains("sufficient privileges"))
            #expect(!"\(error!)".contains("secret"))
            #expect(peer.requests.compactMap(\.query).allSatisfy { !$0.hasPrefix("GRANT") })
        }
    }
}
