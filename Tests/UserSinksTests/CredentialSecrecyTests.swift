import CQL
import CQLTestSupport
import Testing
@testable import Retry
@testable import UserSinks

/// The password reaches the peer in the SASL token and nowhere else: not in logs, descriptions or errors.
@Suite("Cassandra credentials stay secret")
struct CredentialSecrecyTests {
    static let password = "pa55-Very-Secret"

    @Test("a session with credentials logs and describes itself without the password")
    func notLogged() async throws {
        let credentials = CQLCredentials(username: "writer", password: Self.password)
        let peer = try await ScriptedCQLPeer.start(.init(credentials: credentials), script: UsersTable.script())
        try await withPeer(peer) { peer in
            let logs = LogCapture()
            let location = try SinkLocation(parsing: "cassandra://writer:\(Self.password)@\(peer.contactPoint)/spark_streams")
                .withCassandraSettings { $0.retry = RetryPolicy(maxAttempts: 1) }
            let sink = try await location.open(logger: logs.logger())
            try await sink.upsert(SampleUsers.make(2))
            try await sink.close()
            #expect(peer.requests.contains { $0.opcode == .authResponse })
            #expect(peer.requests.filter { $0.opcode == .execute }.count == 2)
            #expect(logs.text.contains("writer:****@"))  // the log names the sink, so the check below has something to miss
            #expect(!logs.text.contains(Self.password))
            #expect(!location.description.contains(Self.password))
        }
    }

    @Test("a rejected password fails with an error that does not contain it")
    func notInErrors() async throws {
        let peer = try await ScriptedCQLPeer.start(.init(credentials: CQLCredentials(username: "writer", password: "other")), script: UsersTable.script())
        try await withPeer(peer) { peer in
            let logs = LogCapture()
            var configuration = UsersTable.configuration(peer, attempts: 1)
            configuration.credentials = CQLCredentials(username: "writer", password: Self.password)
            let error = await #expect(throws: (any Error).self) { try await SinkLocation.cassandra(configuration).open(logger: logs.logger()) }
            #expect("\(error!)".contains("authentication failed for user writer"))
            #expect(!"\(error!)".contains(Self.password))
            #expect(!String(reflecting: error!).contains(Self.password))
            #expect(!logs.text.contains(Self.password))
        }
    }

    @Test("a node that cannot be reached fails open with the sink named, password hidden, after the configured attempts")
    func unreachable() async throws {
        let gone = try await ScriptedCQLPeer.start { _ in .void }
        await gone.stop()
        let logs = LogCapture()
        var configuration = UsersTable.configuration(gone, attempts: 2)
        configuration.credentials = CQLCredentials(username: "writer", password: Self.password)
        let error = await #expect(throws: CassandraSinkError.self) { try await SinkLocation.cassandra(configuration).open(logger: logs.logger()) }
        guard case .unreachable(let sink, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(sink == "cassandra://writer:****@\(gone.contactPoint)/spark_streams")
        #expect("\(error!)".hasPrefix("cannot connect to Cassandra at cassandra://writer:****@"))
        #expect(logs.text.contains("Cassandra request failed; retrying"))
        #expect(!logs.text.contains(Self.password))
    }
}
