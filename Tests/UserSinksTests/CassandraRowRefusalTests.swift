import CQL
import CQLTestSupport
import Testing
@testable import UserContract
@testable import UserSinks

/// Which Cassandra answers refuse a user's row alone, and what `upsert` makes of them, against
/// `ScriptedCQLPeer` — a scripted protocol peer, not Cassandra.
@Suite("Cassandra row refusals, against a scripted CQL peer")
struct CassandraRowRefusalTests {
    static func writeFailed(_ error: CQLError) -> CassandraSinkError {
        .writeFailed(userID: "3f2504e0-4f89-11d3-9a0c-000000000001", table: "spark_streams.created_users", attempts: 1, error)
    }

    static func server(_ code: CQLServerErrorCode, _ message: String) -> CQLError {
        .server(CQLServerError(code: code, message: message), host: "127.0.0.1:9042")
    }

    @Test("an Invalid answer about a row's values, or a value that cannot be bound, refuses that row alone")
    func rowRefusals() {
        for error in [Self.server(.invalid, "Key length of 70000 is longer than maximum of 65535"),
                      Self.server(.invalid, "Guardrail column_value_size violated: Value of column email has size 20000"),
                      CQLError.invalidValue("bind variable dob: \"1st of May\" is not an ISO-8601 timestamp")] {
            let failure = Self.writeFailed(error)
            #expect(failure.isRowRefusal, "\(error)")
            #expect("\(failure)".hasPrefix("spark_streams.created_users refused user 3f2504e0-4f89-11d3-9a0c-000000000001: "), "\(failure)")
        }
    }

    @Test("answers that concern every row are no row refusals; the stream stops on those retrying cannot cure")
    func wholeTableFailures() {
        let stopping = [Self.server(.unauthorized, "User reader has no MODIFY permission on <table spark_streams.created_users>"),
                        Self.server(.invalid, "unconfigured table created_users"),
                        Self.server(.invalid, "Keyspace spark_streams does not exist"),
                        Self.server(.invalid, "Undefined column name dob"),
                        Self.server(.syntaxError, "line 1:0 no viable alternative"),
                        Self.server(.configError, "Cannot write"),
                        CQLError.authenticationFailed(user: "writer", host: "127.0.0.1:9042", serverMessage: "bad credentials")]
        for error in stopping {
            #expect(!Self.writeFailed(error).isRowRefusal, "\(error)")
            #expect(Self.writeFailed(error).isUnrecoverable, "\(error)")
        }
        let retried = [Self.server(.unavailable, "Cannot achieve consistency level LOCAL_QUORUM"), Self.server(.overloaded, "busy"),
                       CQLError.connectionLost(host: "127.0.0.1:9042", reason: "reset"),
                       CQLError.requestTimedOut(host: "127.0.0.1:9042", request: "EXECUTE", timeout: .seconds(1))]
        for error in retried {
            #expect(!Self.writeFailed(error).isRowRefusal, "\(error)")
            #expect(!Self.writeFailed(error).isUnrecoverable, "\(error)")
        }
    }

    @Test("one user answered Invalid is reported by its position; every other user is written")
    func invalidRowReported() async throws {
        let users = SampleUsers.make(6)
        let refusedID = SampleUsers.uuidBytes(users[3].id)
        let peer = try await ScriptedCQLPeer.start(script: UsersTable.script(execute: { request in
            request.values.first == refusedID ? .error(CQLServerError(code: .invalid, message: "Guardrail column_value_size violated")) : .void
        }))
        try await withPeer(peer) { peer in
            let sink = try await CassandraUserSink.connect(UsersTable.configuration(peer), logger: CassandraUpsertTests.quiet)
            let refused = await #expect(throws: SinkRowsRefused.self) { try await sink.upsert(users) }
            #expect(refused?.refusals.map(\.index) == [3])
            #expect(refused?.refusals.first?.message.contains("Guardrail column_value_size violated") == true)
            #expect(Set(UsersTable.executedCells(peer)) == UsersTable.allTextCells(users))
            #expect(peer.requests.filter { $0.opcode == .execute }.count == 6, "a refused row was retried")
            try await sink.close()
        }
    }

    @Test("when an id's newest version in the call is refused, the newest one before it that Cassandra takes is written")
    func olderVersionWrittenWhenTheNewestIsRefused() async throws {
        let users = SampleUsers.make(2)
        var renamed = users[0]
        renamed.firstName = "Refused"
        let peer = try await ScriptedCQLPeer.start(script: UsersTable.script(execute: { request in
            request.values[1] == Array("Refused".utf8) ? .error(CQLServerError(code: .invalid, message: "first name refused")) : .void
        }))
        try await withPeer(peer) { peer in
            let sink = try await CassandraUserSink.connect(UsersTable.configuration(peer), logger: CassandraUpsertTests.quiet)
            let refused = await #expect(throws: SinkRowsRefused.self) { try await sink.upsert(users + [renamed]) }
            #expect(refused?.refusals.map(\.index) == [2])
            let rows = UsersTable.executedRows(peer).filter { $0["id"] == SampleUsers.uuidBytes(users[0].id) }
            #expect(rows.map { $0["first_name"] } == [Array("Refused".utf8), Array(users[0].firstName.utf8)])
            try await sink.close()
        }
    }

    @Test("an Unauthorized write fails the upsert as a whole, marked as beyond retrying")
    func unauthorizedThrown() async throws {
        let peer = try await ScriptedCQLPeer.start(script: UsersTable.script(execute: { _ in
            .error(CQLServerError(code: .unauthorized, message: "User reader has no MODIFY permission"))
        }))
        try await withPeer(peer) { peer in
            let sink = try await CassandraUserSink.connect(UsersTable.configuration(peer), logger: CassandraUpsertTests.quiet)
            let error = await #expect(throws: CassandraSinkError.self) { try await sink.upsert(SampleUsers.make(3)) }
            #expect(error?.isUnrecoverable == true && error?.isRowRefusal == false)
            try await sink.close()
        }
    }
}
