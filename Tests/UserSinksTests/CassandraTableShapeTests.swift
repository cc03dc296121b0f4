import CQL
import CQLTestSupport
import Testing
@testable import UserContract
@testable import UserSinks

/// A users table of another shape, as system_schema lists it, is refused by the sink and by setup —
/// against `ScriptedCQLPeer`, a scripted protocol peer, not Cassandra.
@Suite("Cassandra table shape, against a scripted CQL peer")
struct CassandraTableShapeTests {
    /// Answers system_schema.columns with `columns` (name, kind) and the schema-version query with one version.
    static func script(_ columns: [(String, String)]) -> @Sendable (ScriptedCQLPeer.Request) -> ScriptedCQLPeer.Reply {
        let described = ["column_name", "kind"].map { CQLColumn(keyspace: "system_schema", table: "columns", name: $0, type: .text) }
        let local = [CQLColumn(keyspace: "system", table: "local", name: "schema_version", type: .uuid)]
        return UsersTable.script(other: { request in
            let query = request.query ?? ""
            if query.contains("system_schema.columns") && query.contains("keyspace_name = 'spark_streams' AND table_name = 'created_users'") {
                return .rows(described, columns.map { [.text($0.0), .text($0.1)] })
            }
            if query.contains("system.local") { return .rows(local, [[.text("11111111-1111-1111-1111-111111111111")]]) }
            return .void
        })
    }

    static let seedTable = User.fieldNames.map { ($0, $0 == "id" ? "partition_key" : "regular") }

    static let otherShapes: [(columns: [(String, String)], difference: String)] = [
        (seedTable.filter { $0.0 != "dob" }, "missing column dob"),
        (seedTable.map { ($0.0, $0.0 == "id" ? "regular" : $0.1) } + [("tenant", "partition_key")], "its key is (tenant) instead of id alone"),
        (seedTable + [("created", "clustering")], "its key is (id, created) instead of id alone"),
    ]

    @Test("the sink refuses a table of another shape before preparing anything, naming what differs", arguments: otherShapes.indices)
    func sinkRefusesOtherShapes(index: Int) async throws {
        let shape = Self.otherShapes[index]
        let peer = try await ScriptedCQLPeer.start(script: Self.script(shape.columns))
        try await withPeer(peer) { peer in
            let error = await #expect(throws: SinkTableMismatch.self) {
                _ = try await CassandraUserSink.connect(UsersTable.configuration(peer), logger: CassandraUpsertTests.quiet)
            }
            #expect(error?.differences == [shape.difference])
            #expect("\(error!)".hasPrefix("table spark_streams.created_users is not the shape userstream writes: \(shape.difference)"))
            #expect(!peer.requests.contains { $0.opcode == .prepare })
        }
    }

    @Test("setup refuses an existing table of another shape instead of saying it already existed")
    func setupRefusesOtherShape() async throws {
        let peer = try await ScriptedCQLPeer.start(script: Self.script(Self.otherShapes[0].columns))
        try await withPeer(peer) { peer in
            let error = await #expect(throws: SinkTableMismatch.self) {
                _ = try await SinkLocation.cassandra(UsersTable.configuration(peer)).setUp(logger: CassandraUpsertTests.quiet)
            }
            #expect(error?.differences == ["missing column dob"])
        }
    }

    @Test("the seed's table, with an extra column, is accepted")
    func seedShapeIsAccepted() async throws {
        let peer = try await ScriptedCQLPeer.start(script: Self.script(Self.seedTable + [("note", "regular")]))
        try await withPeer(peer) { peer in
            let sink = try await CassandraUserSink.connect(UsersTable.configuration(peer), logger: CassandraUpsertTests.quiet)
            try await sink.close()
            #expect(peer.requests.contains { $0.opcode == .prepare })
        }
    }
}
