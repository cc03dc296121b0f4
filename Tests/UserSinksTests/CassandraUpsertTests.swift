import CQL
import CQLTestSupport
import Logging
import Testing
@testable import UserSinks

/// `CassandraUserSink.upsert` against `ScriptedCQLPeer` — a scripted protocol peer, not Cassandra.
@Suite("Cassandra sink writes, against a scripted CQL peer")
struct CassandraUpsertTests {
    static let quiet: Logger = {
        var logger = Logger(label: "cassandra-sink-test")
        logger.logLevel = .critical  // expected failures would otherwise fill the test output
        return logger
    }()

    @Test("N users become N EXECUTEs of the prepared INSERT with text values and a uuid id (the seed's all-text table)")
    func allTextTable() async throws {
        let peer = try await ScriptedCQLPeer.start(script: UsersTable.script())
        try await withPeer(peer) { peer in
            let sink = try await CassandraUserSink.connect(UsersTable.configuration(peer), logger: Self.quiet)
            let users = SampleUsers.make(25)
            try await sink.upsert(users)
            try await sink.close()

            let prepares = peer.requests.filter { $0.opcode == .prepare }.compactMap(\.query)
            #expect(prepares == ["INSERT INTO spark_streams.created_users (id, first_name, last_name, gender, address, post_code, email, username, dob, registered_date, phone, picture) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"])
            #expect(peer.requests.filter { $0.opcode == .execute }.allSatisfy { $0.preparedID == UsersTable.statementID })
            let executed = UsersTable.executedCells(peer)
            #expect(executed.count == 25)
            #expect(Set(executed) == UsersTable.allTextCells(users))
        }
    }

    @Test("ISO-8601 dates are bound as timestamps when the server reports timestamp columns")
    func timestampTable() async throws {
        let peer = try await ScriptedCQLPeer.start(script: UsersTable.script(columns: UsersTable.timestampDates))
        try await withPeer(peer) { peer in
            let sink = try await CassandraUserSink.connect(UsersTable.configuration(peer), logger: Self.quiet)
            #expect(sink.boundColumnTypes["dob"] == .timestamp)
            try await sink.upsert(SampleUsers.make(3))
            try await sink.close()

            let rows = UsersTable.executedRows(peer, columns: UsersTable.timestampDates)
            #expect(rows.count == 3)
            for row in rows {
                #expect(row["dob"] == [0x00, 0x00, 0x00, 0x95, 0x60, 0x25, 0x8A, 0x00])  // 1990-05-01T12:00:00Z = 641563200000 ms
                #expect(row["registered_date"] == [0x00, 0x00, 0x00, 0xE8, 0xD4, 0xA5, 0x10, 0x00])  // 2001-09-09T01:46:40Z = 10^12 ms
                #expect(row["first_name"]??.starts(with: Array("First".utf8)) == true)
            }
        }
    }

    @Test("a dob column of type date gets the calendar day of the ISO-8601 timestamp")
    func dateColumn() async throws {
        let columns = UsersTable.columns { $0 == "id" ? .uuid : $0 == "dob" ? .date : .text }
        let peer = try await ScriptedCQLPeer.start(script: UsersTable.script(columns: columns))
        try await withPeer(peer) { peer in
            let sink = try await CassandraUserSink.connect(UsersTable.configuration(peer), logger: Self.quiet)
            try await sink.upsert(SampleUsers.make(1))
            try await sink.close()
            let rows = UsersTable.executedRows(peer, columns: columns)
            #expect(rows.map { $0["dob"] } == [[0x80, 0x00, 0x1D, 0x01]])  // 1990-05-01 = day 7425, offset by 2^31
            #expect(rows.map { $0["registered_date"] } == [Array("2001-09-09T01:46:40.000Z".utf8)])
        }
    }

    @Test("a date that is not ISO-8601 is refused for a timestamp column as that row alone, naming the user and column")
    func unparsableDate() async throws {
        let peer = try await ScriptedCQLPeer.start(script: UsersTable.script(columns: UsersTable.timestampDates))
        try await withPeer(peer) { peer in
            let sink = try await CassandraUserSink.connect(UsersTable.configuration(peer), logger: Self.quiet)
            let user = SampleUsers.make(1, dob: "1st of May 1990")[0]
            let refused = await #expect(throws: SinkRowsRefused.self) { try await sink.upsert([user]) }
            let message = refused?.refusals.first?.message ?? ""
            #expect(message.contains("spark_streams.created_users refused user \(user.id)"), "\(message)")
            #expect(message.contains("bind variable dob"), "\(message)")
            #expect(peer.requests.filter { $0.opcode == .execute }.isEmpty)
            try await sink.close()
        }
    }

    @Test("UNPREPARED is answered by preparing again and retrying the EXECUTE")
    func reprepare() async throws {
        let executions = Counter()
        let peer = try await ScriptedCQLPeer.start(script: UsersTable.script(execute: { _ in
            executions.next() == 1
                ? .error(CQLServerError(code: .unprepared, message: "Prepared query with ID 5eed not found", details: .unprepared(id: UsersTable.statementID)))
                : .void
        }))
        try await withPeer(peer) { peer in
            let sink = try await CassandraUserSink.connect(UsersTable.configuration(peer), logger: Self.quiet)
            try await sink.upsert(SampleUsers.make(1))
            try await sink.close()
            #expect(peer.requests.filter { $0.opcode == .prepare }.count == 2)
            #expect(peer.requests.filter { $0.opcode == .execute }.count == 2)
        }
    }

    @Test("overloaded and write-timeout answers are retried until the write succeeds")
    func transientErrorsRetried() async throws {
        let executions = Counter()
        let peer = try await ScriptedCQLPeer.start(script: UsersTable.script(execute: { _ in
            switch executions.next() {
            case 1: .error(CQLServerError(code: .overloaded, message: "Server is in overloaded state"))
            case 2: .error(CQLServerError(code: .writeTimeout, message: "Operation timed out",
                                          details: .writeTimeout(consistency: .localOne, received: 0, blockFor: 1, writeType: "SIMPLE", contentions: nil)))
            default: .void
            }
        }))
        try await withPeer(peer) { peer in
            let sink = try await CassandraUserSink.connect(UsersTable.configuration(peer, attempts: 4), logger: Self.quiet)
            let user = SampleUsers.make(1)[0]
            try await sink.upsert([user])
            try await sink.close()
            let rows = UsersTable.executedRows(peer)
            #expect(rows.count == 3)
            #expect(rows.allSatisfy { $0["id"] == SampleUsers.uuidBytes(user.id) && $0["email"] == Array(user.email.utf8) })
        }
    }

    @Test("a request the peer never answers times out and is sent again")
    func timeoutRetried() async throws {
        let executions = Counter()
        let peer = try await ScriptedCQLPeer.start(script: UsersTable.script(execute: { _ in executions.next() == 1 ? .silence : .void }))
        try await withPeer(peer) { peer in
            var configuration = UsersTable.configuration(peer, attempts: 8)
            configuration.requestTimeout = .seconds(1)
            let sink = try await CassandraUserSink.connect(configuration, logger: Self.quiet)
            try await sink.upsert(SampleUsers.make(1))  // fails if the unanswered write is not sent again
            try await sink.close()
            // At least two: on a loaded machine an answered attempt may also outlast the short timeout.
            #expect(peer.requests.filter { $0.opcode == .execute }.count >= 2)
        }
    }

    @Test("an error that retrying cannot cure surfaces at once, naming the user and the server's message")
    func persistentErrorSurfaces() async throws {
        let peer = try await ScriptedCQLPeer.start(script: UsersTable.script(execute: { _ in
            .error(CQLServerError(code: .invalid, message: "unconfigured table created_users"))
        }))
        try await withPeer(peer) { peer in
            let sink = try await CassandraUserSink.connect(UsersTable.configuration(peer, attempts: 5), logger: Self.quiet)
            let user = SampleUsers.make(1)[0]
            let error = await #expect(throws: CassandraSinkError.self) { try await sink.upsert([user]) }
            guard case .writeFailed(let id, _, let attempts, let cause)? = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(id == user.id)
            #expect(attempts == 1)
            #expect(cause.serverError?.code == .invalid)
            #expect("\(error!)".contains("unconfigured table created_users"))
            #expect(peer.requests.filter { $0.opcode == .execute }.count == 1)
            try await sink.close()
        }
    }

    @Test("a transient error that persists fails the upsert after the configured attempts")
    func transientErrorGivesUp() async throws {
        let peer = try await ScriptedCQLPeer.start(script: UsersTable.script(execute: { _ in
            .error(CQLServerError(code: .unavailable, message: "Cannot achieve consistency level LOCAL_ONE",
                                  details: .unavailable(consistency: .localOne, required: 1, alive: 0)))
        }))
        try await withPeer(peer) { peer in
            let sink = try await CassandraUserSink.connect(UsersTable.configuration(peer, attempts: 3), logger: Self.quiet)
            let error = await #expect(throws: CassandraSinkError.self) { try await sink.upsert(SampleUsers.make(1)) }
            guard case .writeFailed(_, _, let attempts, _)? = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(attempts == 3)
            #expect("\(error!)".contains("after 3 attempts"))
            #expect(peer.requests.filter { $0.opcode == .execute }.count == 3)
            try await sink.close()
        }
    }

    @Test("writes carry the configured consistency level", arguments: [CQLConsistency.localOne, .localQuorum, .all])
    func consistencyOnTheWire(_ level: CQLConsistency) async throws {
        let peer = try await ScriptedCQLPeer.start(script: UsersTable.script())
        try await withPeer(peer) { peer in
            let sink = try await CassandraUserSink.connect(UsersTable.configuration(peer, consistency: level), logger: Self.quiet)
            try await sink.upsert(SampleUsers.make(5))
            try await sink.close()
            let executes = peer.requests.filter { $0.opcode == .execute }
            #expect(executes.count == 5)
            #expect(executes.allSatisfy { $0.consistency == level })
        }
    }

    @Test("no more than the configured window of EXECUTEs is in flight at once")
    func boundedWindow() async throws {
        let gate = ReplyGate()
        let peer = try await ScriptedCQLPeer.start(script: UsersTable.script(execute: UsersTable.acknowledge(when: gate)))
        try await withPeer(peer) { peer in
            let sink = try await CassandraUserSink.connect(UsersTable.configuration(peer, maximumInFlight: 4), logger: Self.quiet)
            let upsert = Task { try await sink.upsert(SampleUsers.make(20)) }
            await peer.waitUntil { $0.filter { $0.opcode == .execute }.count >= 4 }
            gate.open()
            try await upsert.value
            try await sink.close()
            #expect(peer.requests.filter { $0.opcode == .execute }.count == 20)
            #expect(peer.maximumOutstanding == 4)
        }
    }

    @Test("upsert returns only after the peer acknowledged every write")
    func returnsAfterAcknowledgement() async throws {
        let gate = ReplyGate()
        let peer = try await ScriptedCQLPeer.start(script: UsersTable.script(execute: UsersTable.acknowledge(when: gate)))
        try await withPeer(peer) { peer in
            let sink = try await CassandraUserSink.connect(UsersTable.configuration(peer), logger: Self.quiet)
            let finished = Counter()
            let upsert = Task {
                try await sink.upsert(SampleUsers.make(3))
                _ = finished.next()
            }
            await peer.waitUntil { $0.filter { $0.opcode == .execute }.count == 3 }
            #expect(finished.current == 0)
            gate.open()
            try await upsert.value
            #expect(finished.current == 1)
            try await sink.close()
        }
    }

    @Test("the same id twice in one call is written once, with its last version")
    func lastVersionWins() async throws {
        let peer = try await ScriptedCQLPeer.start(script: UsersTable.script())
        try await withPeer(peer) { peer in
            let sink = try await CassandraUserSink.connect(UsersTable.configuration(peer), logger: Self.quiet)
            var users = SampleUsers.make(2)
            var renamed = users[0]
            renamed.firstName = "Renamed"
            users.append(renamed)
            try await sink.upsert(users)
            try await sink.close()
            let rows = UsersTable.executedRows(peer)
            #expect(rows.count == 2)
            #expect(rows.filter { $0["id"] == SampleUsers.uuidBytes(renamed.id) }.map { $0["first_name"] } == [Array("Renamed".utf8)])
        }
    }

    @Test("a table without the twelve columns fails at open, marked as a missing or different table")
    func missingColumn() async throws {
        let peer = try await ScriptedCQLPeer.start { request in
            request.opcode == .prepare ? .error(CQLServerError(code: .invalid, message: "Undefined column name dob")) : .void
        }
        try await withPeer(peer) { peer in
            let error = await #expect(throws: CassandraSinkError.self) {
                try await CassandraUserSink.connect(UsersTable.configuration(peer), logger: Self.quiet)
            }
            #expect("\(error!)".contains("Undefined column name dob"))
            #expect(error?.isTableMissingOrDifferent == true)
        }
    }
}
