import CQL
import Testing
@testable import UserSinks

@Suite("--sink locations")
struct SinkLocationTests {
    @Test("SQLite forms", arguments: [
        ("sqlite:data/users.db", "data/users.db"), ("sqlite:/var/lib/users.sqlite", "/var/lib/users.sqlite"),
        ("sqlite:///tmp/u.db", "/tmp/u.db"), ("users.db", "users.db"), ("out/users.sqlite3", "out/users.sqlite3"),
    ])
    func sqlite(_ text: String, _ path: String) throws {
        #expect(try SinkLocation(parsing: text) == .sqlite(path: path))
    }

    @Test("a Cassandra URL with credentials, several hosts and a keyspace")
    func cassandraFull() throws {
        guard case .cassandra(let configuration) = try SinkLocation(parsing: "cassandra://bob:p%40ss@10.0.0.1:9142,10.0.0.2,[::1]:9043/users_ks") else {
            Issue.record("not Cassandra"); return
        }
        #expect(configuration.contactPoints == ["10.0.0.1:9142", "10.0.0.2", "[::1]:9043"])
        #expect(configuration.keyspace == "users_ks")
        #expect(configuration.credentials == CQLCredentials(username: "bob", password: "p@ss"))
        #expect(configuration.consistency == .localOne)
        #expect(configuration.replication == .simple(replicationFactor: 1))
        #expect(configuration.table == "created_users")
    }

    @Test("a Cassandra URL without keyspace uses spark_streams")
    func cassandraDefaults() throws {
        for text in ["cassandra://127.0.0.1", "cassandra://127.0.0.1/", "CASSANDRA://cassandra:9042"] {
            guard case .cassandra(let configuration) = try SinkLocation(parsing: text) else { Issue.record("not Cassandra: \(text)"); continue }
            #expect(configuration.keyspace == "spark_streams")
            #expect(configuration.credentials == nil)
        }
    }

    @Test("bad input is refused with a message that says what to write", arguments: [
        ("mysql://db/users", "neither a SQLite nor a Cassandra location"),
        ("users.csv", "use sqlite:PATH or cassandra://"),
        ("sqlite:", "names no file"),
        ("cassandra://", "no host is named"),
        ("cassandra:///spark_streams", "no host is named"),
        ("cassandra://host:99999/ks", "port '99999' is not a number from 1 to 65535"),
        ("cassandra://host:abc/ks", "port 'abc'"),
        ("cassandra://h1,,h2/ks", "'' is not a host name"),
        ("cassandra://[::1/ks", "opens [ without closing it"),
        ("cassandra://host/spark-streams", "keyspace 'spark-streams' is not a valid Cassandra name"),
        ("cassandra://host/1users", "keyspace '1users'"),
        ("cassandra://bob@host/ks", "credentials are user:password@"),
        ("cassandra:host/ks", "starts with cassandra://"),
    ])
    func badInput(_ text: String, _ message: String) {
        let error = #expect(throws: SinkConfigurationError.self) { try SinkLocation(parsing: text) }
        #expect(error.map { "\($0)".contains(message) } == true, "\(String(describing: error))")
    }

    @Test("passwords never show in descriptions or parse errors")
    func passwordsHidden() throws {
        let location = try SinkLocation(parsing: "cassandra://bob:hunter2@db1,db2/spark_streams")
        #expect(location.description == "cassandra://bob:****@db1,db2/spark_streams")
        #expect(!"\(location)".contains("hunter2"))
        guard case .cassandra(let configuration) = location else { Issue.record("not Cassandra"); return }
        #expect(!String(reflecting: configuration).contains("hunter2"))
        for bad in ["cassandra://bob:hunter2@host:0/ks", "cassandra://bob:hunter2@host/bad-ks", "postgres://bob:hunter2@host/db"] {
            let error = #expect(throws: SinkConfigurationError.self) { try SinkLocation(parsing: bad) }
            #expect(error.map { !"\($0)".contains("hunter2") } == true, "\(bad)")
        }
    }

    @Test("credentials from flags or environment override the URL's, and must come in pairs")
    func credentials() throws {
        var configuration = CassandraSinkConfiguration(contactPoints: ["h"], credentials: CQLCredentials(username: "url", password: "url-pw"))
        try configuration.setCredentials(username: nil, password: nil)
        #expect(configuration.credentials == CQLCredentials(username: "url", password: "url-pw"))
        try configuration.setCredentials(username: "flag", password: "file-pw")
        #expect(configuration.credentials == CQLCredentials(username: "flag", password: "file-pw"))
        var bare = CassandraSinkConfiguration(contactPoints: ["h"])
        #expect(throws: SinkConfigurationError.self) { try bare.setCredentials(username: "bob", password: nil) }
        #expect(throws: SinkConfigurationError.self) { try bare.setCredentials(username: nil, password: "secret") }
        try bare.setCredentials(username: nil, password: nil)
        #expect(bare.credentials == nil)
    }

    @Test("Cassandra settings apply to Cassandra locations only")
    func settings() throws {
        let sqlite = SinkLocation.sqlite(path: "u.db")
        #expect(sqlite.withCassandraSettings { $0.consistency = .all } == sqlite)
        let changed = try SinkLocation(parsing: "cassandra://h/ks").withCassandraSettings { $0.consistency = .quorum }
        guard case .cassandra(let configuration) = changed else { Issue.record("not Cassandra"); return }
        #expect(configuration.consistency == .quorum)
    }

    @Test("replication strategies", arguments: [
        ("SimpleStrategy:3", CassandraReplication.simple(replicationFactor: 3)), ("2", .simple(replicationFactor: 2)),
        ("NetworkTopologyStrategy:dc1=3,dc2=1", .networkTopology(["dc1": 3, "dc2": 1])),
    ])
    func replication(_ text: String, _ expected: CassandraReplication) throws {
        #expect(try CassandraReplication(parsing: text) == expected)
    }

    @Test("bad replication values are refused", arguments: ["0", "SimpleStrategy:x", "EverywhereStrategy:1", "NetworkTopologyStrategy:", "NetworkTopologyStrategy:dc1"])
    func badReplication(_ text: String) {
        #expect(throws: SinkConfigurationError.self) { try CassandraReplication(parsing: text) }
    }

    @Test("consistency levels parse by name")
    func consistencyNames() {
        #expect(CQLConsistency(name: "LOCAL_ONE") == .localOne)
        #expect(CQLConsistency(name: "local-quorum") == .localQuorum)
        #expect(CQLConsistency(name: "each_quorum") == .eachQuorum)
        #expect(CQLConsistency(name: "MOST") == nil)
    }
}
