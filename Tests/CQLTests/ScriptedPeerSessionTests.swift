import Foundation
import Logging
import Synchronization
import Testing
@testable import CQL
import CQLTestSupport

/// Session behaviour against `ScriptedCQLPeer` — a scripted protocol peer, not Cassandra.
@Suite("CQLSession against a scripted CQL peer")
struct ScriptedPeerSessionTests {
    static let userColumns = [("id", CQLDataType.uuid), ("first_name", .text), ("dob", .timestamp)]
        .map { CQLColumn(keyspace: "spark_streams", table: "created_users", name: $0.0, type: $0.1) }

    func session(_ peers: [ScriptedCQLPeer], credentials: CQLCredentials? = nil, version: CQLProtocolVersion? = nil,
                 keyspace: String? = nil, schemaAgreementTimeout: Duration = .seconds(60), discoversPeers: Bool = false) -> CQLSession {
        var logger = Logger(label: "cql-test")
        logger.logLevel = .critical  // expected failures would otherwise fill the test output
        return CQLSession(configuration: CQLSessionConfiguration(
            contactPoints: peers.map(\.contactPoint), credentials: credentials, keyspace: keyspace, protocolVersion: version,
            connectTimeout: .seconds(60), requestTimeout: .seconds(60), schemaAgreementTimeout: schemaAgreementTimeout,
            schemaAgreementInterval: .milliseconds(10), reconnectDelay: .milliseconds(50), discoversPeers: discoversPeers), logger: logger)
    }

    @Test("password authentication sends the SASL PLAIN token and succeeds")
    func authenticationSucceeds() async throws {
        let credentials = CQLCredentials(username: "cassandra", password: "s3cret")
        let peer = try await ScriptedCQLPeer.start(.init(credentials: credentials)) { _ in .void }
        try await withPeer(peer) { peer in
            let session = session([peer], credentials: credentials)
            try await session.connect()
            _ = try await session.query("INSERT INTO ks.t (k) VALUES (1)")
            let token = peer.requests.first { $0.opcode == .authResponse }?.authToken
            #expect(token == [0] + Array("cassandra".utf8) + [0] + Array("s3cret".utf8))
            await session.close()
        }
    }

    @Test("bad credentials fail with an error that names the user, not the password")
    func authenticationFails() async throws {
        let peer = try await ScriptedCQLPeer.start(.init(credentials: CQLCredentials(username: "bob", password: "right"))) { _ in .void }
        try await withPeer(peer) { peer in
            let session = session([peer], credentials: CQLCredentials(username: "bob", password: "wrong-secret"))
            let error = await #expect(throws: CQLError.self) { try await session.connect() }
            guard case .authenticationFailed(let user, _, _)? = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(user == "bob")
            let text = "\(error!)"
            #expect(text.contains("authentication failed for user bob"))
            #expect(!text.contains("--"), "the library names no command-line flag: \(text)")
            #expect(!text.contains("wrong-secret"))
            await session.close()
        }
    }

    @Test("a server that wants authentication without configured credentials says so")
    func authenticationRequired() async throws {
        let peer = try await ScriptedCQLPeer.start(.init(credentials: CQLCredentials(username: "a", password: "b"))) { _ in .void }
        try await withPeer(peer) { peer in
            let session = session([peer])
            let error = await #expect(throws: CQLError.self) { try await session.connect() }
            guard case .authenticationRequired? = error else { Issue.record("got \(String(describing: error))"); return }
            await session.close()
        }
    }

    @Test("each error class arrives as a typed server error with its details")
    func errorClasses() async throws {
        let errors: [String: CQLServerError] = [
            "unavailable": CQLServerError(code: .unavailable, message: "no", details: .unavailable(consistency: .quorum, required: 3, alive: 1)),
            "write_timeout": CQLServerError(code: .writeTimeout, message: "slow", details: .writeTimeout(consistency: .one, received: 0, blockFor: 1, writeType: "SIMPLE", contentions: nil)),
            "read_timeout": CQLServerError(code: .readTimeout, message: "slow", details: .readTimeout(consistency: .one, received: 0, blockFor: 1, dataPresent: false)),
            "syntax": CQLServerError(code: .syntaxError, message: "bad"),
            "invalid": CQLServerError(code: .invalid, message: "unconfigured table"),
            "unauthorized": CQLServerError(code: .unauthorized, message: "no permission"),
            "exists": CQLServerError(code: .alreadyExists, message: "exists", details: .alreadyExists(keyspace: "ks", table: "t")),
            "server": CQLServerError(code: .serverError, message: "bug"),
        ]
        let peer = try await ScriptedCQLPeer.start { request in errors[request.query ?? ""].map(ScriptedCQLPeer.Reply.error) ?? .void }
        try await withPeer(peer) { peer in
            let session = session([peer])
            for (query, expected) in errors {
                let error = await #expect(throws: CQLError.self) { try await session.query(query) }
                #expect(error?.serverError == expected, "\(query)")
            }
            await session.close()
        }
    }

    @Test("UNPREPARED is answered by preparing again and retrying once")
    func reprepareOnUnprepared() async throws {
        let executions = Counter()
        let peer = try await ScriptedCQLPeer.start { request in
            switch request.opcode {
            case .prepare:
                return .frame { CQLResponseWriter.prepared(id: [0xCA, 0xFE], bindVariables: Self.userColumns, stream: $0, version: $1) }
            case .execute:
                let first = executions.next() == 1
                return first ? .error(CQLServerError(code: .unprepared, message: "unknown", details: .unprepared(id: [0xCA, 0xFE]))) : .void
            default:
                return .void
            }
        }
        try await withPeer(peer) { peer in
            let session = session([peer])
            let insert = try await session.prepare("INSERT INTO spark_streams.created_users (id, first_name, dob) VALUES (?, ?, ?)")
            _ = try await session.execute(insert, values: ["3f2504e0-4f89-11d3-9a0c-0305e82c3301", "Ada", "1990-05-01T12:00:00.000Z"])
            #expect(peer.requests.filter { $0.opcode == .prepare }.count == 2)
            #expect(peer.requests.filter { $0.opcode == .execute }.count == 2)
            await session.close()
        }
    }

    @Test("prepared values are bound by the server's column types")
    func bindingByPreparedTypes() async throws {
        let peer = try await ScriptedCQLPeer.start { request in
            request.opcode == .prepare
                ? .frame { CQLResponseWriter.prepared(id: [1], bindVariables: Self.userColumns, stream: $0, version: $1) }
                : .void
        }
        try await withPeer(peer) { peer in
            let session = session([peer])
            let insert = try await session.prepare("INSERT INTO spark_streams.created_users (id, first_name, dob) VALUES (?, ?, ?)")
            #expect(insert.bindVariables.map(\.type) == [.uuid, .text, .timestamp])
            _ = try await session.execute(insert, named: ["id": "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "first_name": "Ada", "dob": "1990-05-01T12:00:00.000Z"])
            let values = try #require(peer.requests.last { $0.opcode == .execute }?.values)
            #expect(values[0]?.count == 16)
            #expect(values[1] == Array("Ada".utf8))
            #expect(values[2] == [0x00, 0x00, 0x00, 0x95, 0x60, 0x25, 0x8A, 0x00])  // 641563200000 ms
            await session.close()
        }
    }

    @Test("a request without a reply fails with a timeout")
    func requestTimeout() async throws {
        let peer = try await ScriptedCQLPeer.start { $0.query == "slow" ? .silence : .void }
        try await withPeer(peer) { peer in
            let session = session([peer])
            let error = await #expect(throws: CQLError.self) {
                try await session.query("slow", options: CQLStatementOptions(timeout: .milliseconds(100)))
            }
            guard case .requestTimedOut? = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(error?.isRetryable == true)
            _ = try await session.query("fast")  // the connection stays usable
            await session.close()
        }
    }

    @Test("a connection dropped mid-request fails the request with a retryable connection-lost error")
    func connectionDropped() async throws {
        let peer = try await ScriptedCQLPeer.start { $0.query == "drop" ? .close : .void }
        try await withPeer(peer) { peer in
            let session = session([peer])
            let error = await #expect(throws: CQLError.self) { try await session.query("drop") }
            guard case .connectionLost? = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(error?.isRetryable == true)
            await session.close()
        }
    }

    @Test("queryAll follows paging states across three pages")
    func pagingAcrossThreePages() async throws {
        let columns = [CQLColumn(keyspace: "ks", table: "t", name: "n", type: .int)]
        let peer = try await ScriptedCQLPeer.start { request in
            switch request.pagingState {
            case nil: .rows(columns, [[.int(1)], [.int(2)]], pagingState: [1])
            case [1]?: .rows(columns, [[.int(3)], [.int(4)]], pagingState: [2])
            default: .rows(columns, [[.int(5)]])
            }
        }
        try await withPeer(peer) { peer in
            let session = session([peer])
            let rows = try await session.queryAll("SELECT n FROM ks.t", pageSize: 2)
            struct Row: Decodable { var n: Int }
            #expect(try rows.map { try $0.decode(Row.self).n } == [1, 2, 3, 4, 5])
            #expect(peer.requests.filter { $0.opcode == .query }.map(\.pageSize) == [2, 2, 2])
            await session.close()
        }
    }

    static func schemaScript(agreeAfter: Int) -> (@Sendable (ScriptedCQLPeer.Request) -> ScriptedCQLPeer.Reply, Counter) {
        let peerQueries = Counter()
        let local = [CQLColumn(keyspace: "system", table: "local", name: "schema_version", type: .uuid)]
        let peers = [CQLColumn(keyspace: "system", table: "peers", name: "peer", type: .inet),
                     CQLColumn(keyspace: "system", table: "peers", name: "schema_version", type: .uuid)]
        let agreed = "11111111-1111-1111-1111-111111111111", other = "22222222-2222-2222-2222-222222222222"
        let script: @Sendable (ScriptedCQLPeer.Request) -> ScriptedCQLPeer.Reply = { request in
            let query = request.query ?? ""
            if query.hasPrefix("CREATE") {
                return .frame { CQLResponseWriter.schemaChange(CQLSchemaChange(change: "CREATED", target: "TABLE", keyspace: "ks", name: "t"), stream: $0, version: $1) }
            }
            if query.contains("system.local") { return .rows(local, [[.text(agreed)]]) }
            if query.contains("system.peers") {
                let count = peerQueries.next()
                return .rows(peers, [[.text("10.0.0.2"), .text(count > agreeAfter ? agreed : other)]])
            }
            return .void
        }
        return (script, peerQueries)
    }

    @Test("DDL waits until system.local and system.peers agree on the schema version")
    func schemaAgreement() async throws {
        let (script, peerQueries) = Self.schemaScript(agreeAfter: 2)
        let peer = try await ScriptedCQLPeer.start(script: script)
        try await withPeer(peer) { peer in
            let session = session([peer])
            let result = try await session.query("CREATE TABLE ks.t (k int PRIMARY KEY)")
            #expect(result.schemaChange == CQLSchemaChange(change: "CREATED", target: "TABLE", keyspace: "ks", name: "t"))
            #expect(peerQueries.current == 3)
            await session.close()
        }
    }

    @Test("schema disagreement past the timeout is reported with the versions seen")
    func schemaAgreementTimeout() async throws {
        let (script, _) = Self.schemaScript(agreeAfter: .max)
        let peer = try await ScriptedCQLPeer.start(script: script)
        try await withPeer(peer) { peer in
            let session = session([peer], schemaAgreementTimeout: .milliseconds(50))
            let error = await #expect(throws: CQLError.self) { try await session.query("CREATE TABLE ks.t (k int PRIMARY KEY)") }
            guard case .schemaAgreementTimedOut(let versions, _)? = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(Set(versions.values).count == 2)
            await session.close()
        }
    }

    @Test("a second node takes over when the first goes away")
    func failover() async throws {
        let first = try await ScriptedCQLPeer.start { _ in .void }
        try await withPeer(first) { first in  // stopped mid-test; this covers a throw before that
            let second = try await ScriptedCQLPeer.start { _ in .void }
            try await withPeer(second) { second in
                let session = session([first, second])
                try await session.connect()
                #expect(first.connectionCount == 1)
                await first.stop()
                for _ in 0..<4 {
                    _ = try await session.query("INSERT INTO ks.t (k) VALUES (1)", options: CQLStatementOptions(isIdempotent: true))
                }
                #expect(second.requests.filter { $0.opcode == .query }.count == 4)
                await session.close()
            }
        }
    }

    @Test("v5 is negotiated when the peer offers it, and requests travel in segments")
    func v5Negotiated() async throws {
        let peer = try await ScriptedCQLPeer.start(.init(supportsV5: true, credentials: CQLCredentials(username: "u", password: "p"))) { _ in
            .rows([CQLColumn(keyspace: "ks", table: "t", name: "v", type: .text)], [[.text("via v5")]])
        }
        try await withPeer(peer) { peer in
            let session = session([peer], credentials: CQLCredentials(username: "u", password: "p"))
            let result = try await session.query("SELECT v FROM ks.t")
            #expect(result.rows.first?["v"] == .text("via v5"))
            #expect(await session.protocolVersion == .v5)
            #expect(peer.requests.map(\.opcode) == [.options, .startup, .authResponse, .query])
            #expect(peer.requests.filter { $0.opcode != .options }.allSatisfy { $0.version == 5 })
            await session.close()
        }
    }

    @Test("v4 is used when the peer does not offer v5")
    func v4WhenNotOffered() async throws {
        let peer = try await ScriptedCQLPeer.start { _ in .void }
        try await withPeer(peer) { peer in
            let session = session([peer])
            try await session.connect()
            #expect(await session.protocolVersion == .v4)
            #expect(peer.requests.filter { $0.opcode == .startup }.map(\.version) == [4])
            await session.close()
        }
    }

    @Test("asking for v5 from a v4-only peer falls back to v4 after its protocol error")
    func v5FallsBackToV4() async throws {
        let peer = try await ScriptedCQLPeer.start { _ in .void }
        try await withPeer(peer) { peer in
            let session = session([peer], version: .v5)
            _ = try await session.query("SELECT 1")
            #expect(await session.protocolVersion == .v4)
            #expect(peer.requests.filter { $0.opcode == .startup }.map(\.version) == [5, 4])
            await session.close()
        }
    }

    @Test("hundreds of concurrent requests share one connection through stream ids")
    func multiplexing() async throws {
        let columns = [CQLColumn(keyspace: "ks", table: "t", name: "echo", type: .text)]
        let peer = try await ScriptedCQLPeer.start { .rows(columns, [[.text($0.query ?? "")]]) }
        try await withPeer(peer) { peer in
            let session = session([peer])
            try await session.connect()
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<500 {
                    group.addTask {
                        let result = try await session.query("q\(index)")
                        return result.rows.first?["echo"] == .text("q\(index)")
                    }
                }
                for try await matched in group { #expect(matched) }
            }
            #expect(peer.connectionCount == 1)
            #expect(Set(peer.requests.filter { $0.opcode == .query }.map(\.stream)).count > 1)
            await session.close()
        }
    }

    @Test("every new connection USEs the configured keyspace first")
    func keyspace() async throws {
        let peer = try await ScriptedCQLPeer.start { request in
            request.query?.hasPrefix("USE") == true ? .frame { CQLResponseWriter.setKeyspace("spark_streams", stream: $0, version: $1) } : .void
        }
        try await withPeer(peer) { peer in
            let session = session([peer], keyspace: "spark_streams")
            _ = try await session.query("INSERT INTO created_users (id) VALUES (1)")
            #expect(peer.requests.compactMap(\.query) == ["USE \"spark_streams\"", "INSERT INTO created_users (id) VALUES (1)"])
            await session.close()
        }
    }

    @Test("peers listed in system.peers_v2 join the session's nodes")
    func peerDiscovery() async throws {
        let second = try await ScriptedCQLPeer.start { _ in .void }
        try await withPeer(second) { second in
            let port = Int32(second.port)
            let columns = [CQLColumn(keyspace: "system", table: "peers_v2", name: "peer", type: .inet),
                           CQLColumn(keyspace: "system", table: "peers_v2", name: "native_address", type: .inet),
                           CQLColumn(keyspace: "system", table: "peers_v2", name: "native_port", type: .int)]
            let first = try await ScriptedCQLPeer.start { request in
                request.query?.contains("system.peers_v2") == true ? .rows(columns, [[.text("10.9.9.9"), .text("127.0.0.1"), .int(port)]]) : .void
            }
            try await withPeer(first) { first in
                let session = session([first], discoversPeers: true)
                try await session.connect()
                #expect(await session.knownNodes == [first.contactPoint, second.contactPoint])
                for _ in 0..<4 { _ = try await session.query("SELECT 1") }
                #expect(second.requests.filter { $0.query == "SELECT 1" }.count == 2)  // round-robin over both
                await session.close()
            }
        }
    }

    @Test("a batch binds each prepared statement's values by its column types")
    func batch() async throws {
        let peer = try await ScriptedCQLPeer.start { request in
            request.opcode == .prepare
                ? .frame { CQLResponseWriter.prepared(id: [7], bindVariables: Self.userColumns, stream: $0, version: $1) }
                : .void
        }
        try await withPeer(peer) { peer in
            let session = session([peer])
            let insert = try await session.prepare("INSERT INTO spark_streams.created_users (id, first_name, dob) VALUES (?, ?, ?)")
            _ = try await session.batch(.unlogged, [
                .prepared(insert, values: ["3f2504e0-4f89-11d3-9a0c-0305e82c3301", "Ada", "1990-05-01T12:00:00.000Z"]),
                .query("DELETE FROM ks.t WHERE k = 1"),
            ])
            #expect(peer.requests.last?.opcode == .batch)
            let error = await #expect(throws: CQLError.self) {
                try await session.batch(.logged, [.prepared(insert, values: ["not-a-uuid", "Ada", "1990-05-01"])])
            }
            #expect("\(error!)".contains("bind variable id"))
            await session.close()
        }
    }

    @Test("with v5, messages larger than one segment cross several segments both ways")
    func largeMessagesOverV5() async throws {
        let columns = [CQLColumn(keyspace: "ks", table: "t", name: "blob", type: .blob)]
        let peer = try await ScriptedCQLPeer.start(.init(supportsV5: true)) { request in
            .rows(columns, [[request.values.first.flatMap { $0 }.map(CQLValue.blob) ?? .null]])
        }
        try await withPeer(peer) { peer in
            let session = session([peer])
            let large = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let result = try await session.query("SELECT ?", values: [.blob(large)])
            #expect(await session.protocolVersion == .v5)
            #expect(result.rows.first?["blob"] == .blob(large))
            await session.close()
        }
    }
}
