import CQL
import Foundation
import Testing
@testable import userstream

/// The `--sink…` flags as the commands parse them.
@Suite("sink flags")
struct SinkOptionsTests {
    static func passwordFile(_ contents: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sink-password-\(UUID().uuidString)").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("flags and a password file configure the Cassandra sink; the file's final newline is not part of the password")
    func cassandraFlags() throws {
        let file = try Self.passwordFile("s3cret pass\n")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let options = try SinkOptions.parse([
            "--sink", "cassandra://db1:9042,db2/users_ks", "--sink-username", "bob", "--sink-password-file", file,
            "--consistency", "local_quorum", "--replication", "NetworkTopologyStrategy:dc1=3", "--sink-concurrency", "8",
        ])
        guard case .cassandra(let configuration) = try options.location() else { Issue.record("not Cassandra"); return }
        #expect(configuration.contactPoints == ["db1:9042", "db2"])
        #expect(configuration.keyspace == "users_ks")
        #expect(configuration.credentials == CQLCredentials(username: "bob", password: "s3cret pass"))
        #expect(configuration.consistency == .localQuorum)
        #expect(configuration.replication == .networkTopology(["dc1": 3]))
        #expect(configuration.maximumInFlight == 8)
    }

    @Test("defaults: LOCAL_ONE, SimpleStrategy 1, 64 writes in flight")
    func defaults() throws {
        let options = try SinkOptions.parse(["--sink", "cassandra://db1/spark_streams"])
        guard case .cassandra(let configuration) = try options.location() else { Issue.record("not Cassandra"); return }
        #expect(configuration.consistency == .localOne)
        #expect(configuration.replication == .simple(replicationFactor: 1))
        #expect(configuration.maximumInFlight == 64)
    }

    @Test("a SQLite sink ignores the Cassandra flags")
    func sqlite() throws {
        let options = try SinkOptions.parse(["--sink", "sqlite:/tmp/users.db", "--consistency", "QUORUM"])
        #expect(try options.location() == .sqlite(path: "/tmp/users.db"))
    }

    @Test("bad flag values fail with messages naming the flag", arguments: [
        (["--consistency", "MOST"], "--consistency MOST is not a consistency level"),
        (["--replication", "Everywhere:2"], "--replication Everywhere:2"),
        (["--sink-username", "bob"], "without a password"),
        (["--sink-password-file", "/nonexistent/password"], "cannot read --sink-password-file /nonexistent/password"),
    ])
    func badValues(_ flags: [String], _ message: String) throws {
        // A usage error: parsing checks the location.
        let error = #expect(throws: (any Error).self) { try SinkOptions.parse(["--sink", "cassandra://db1/spark_streams"] + flags) }
        #expect(error.map { SinkOptions.message(for: $0).contains(message) } == true, "\(String(describing: error))")
    }
}

/// `setup --stream-role` and its password file as the command parses them.
@Suite("setup's stream role flags")
struct SetupStreamRoleOptionsTests {
    @Test("the role and its password file (final newline dropped) become the stream role's credentials")
    func role() throws {
        let file = try SinkOptionsTests.passwordFile("rôle pass\n")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let setup = try SetupCommand.parse(["--stream-role", "userstream_stream", "--stream-role-password-file", file])
        #expect(try setup.streamRole() == CQLCredentials(username: "userstream_stream", password: "rôle pass"))
        #expect(try SetupCommand.parse([]).streamRole() == nil)
    }

    @Test("a role without its password, a password without its role, a bad name or an unreadable file are usage errors", arguments: [
        (["--stream-role", "userstream_stream"], "--stream-role needs --stream-role-password-file"),
        (["--stream-role-password-file", "/etc/hostname"], "--stream-role-password-file needs --stream-role"),
        (["--stream-role", "Stream; DROP", "--stream-role-password-file", "/etc/hostname"], "use lower-case letters, digits and _"),
        (["--stream-role", "s", "--stream-role-password-file", "/nonexistent/password"], "cannot read --stream-role-password-file /nonexistent/password"),
    ])
    func usageErrors(_ flags: [String], _ message: String) throws {
        let error = #expect(throws: (any Error).self) { try SetupCommand.parse(flags) }
        #expect(error.map { SetupCommand.message(for: $0).contains(message) } == true, "\(String(describing: error))")
    }
}
