import CQL
import Retry

/// Where and how users are written to Cassandra: nodes, keyspace, credentials, consistency,
/// replication for `setup`, and write concurrency and retries.
public struct CassandraSinkConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// Nodes to start from, "host" or "host:port" ("[v6]:port" for IPv6).
    public var contactPoints: [String]
    /// The native protocol port for contact points without one.
    public var port: Int
    /// The keyspace holding the users table.
    public var keyspace: String
    /// The users table.
    public var table: String
    /// PasswordAuthenticator credentials; nil when the cluster does not authenticate.
    public var credentials: CQLCredentials?
    /// Consistency of every write and read.
    public var consistency: CQLConsistency
    /// Replication of the keyspace when `setup` creates it.
    public var replication: CassandraReplication
    /// EXECUTEs in flight at once per upsert call.
    public var maximumInFlight: Int
    /// Retries of one write after timeouts, unavailable or overloaded nodes and lost connections.
    public var retry: RetryPolicy
    /// Rows per page when reading.
    public var pageSize: Int32
    /// Per-request limit.
    public var requestTimeout: Duration
    /// TCP connect plus handshake limit.
    public var connectTimeout: Duration
    /// Read system.peers to find the rest of the cluster.
    public var discoversPeers: Bool
    /// The role `setup` creates (or whose password it sets again) for the stream processors:
    /// it signs in and may read and write the users table, nothing else. Nil: no role is made.
    public var streamRole: CQLCredentials?

    /// The seed's keyspace and table.
    public static let defaultKeyspace = "spark_streams"
    public static let defaultTable = "created_users"

    /// Creates a configuration; defaults fit the seed (keyspace spark_streams, LOCAL_ONE, SimpleStrategy 1).
    public init(contactPoints: [String], port: Int = 9042, keyspace: String = defaultKeyspace, table: String = defaultTable,
                credentials: CQLCredentials? = nil, consistency: CQLConsistency = .localOne,
                replication: CassandraReplication = .simple(replicationFactor: 1), maximumInFlight: Int = 64,
                retry: RetryPolicy = RetryPolicy(maxAttempts: 6, initialBackoff: .milliseconds(100), maxBackoff: .seconds(5)),
                pageSize: Int32 = 1000, requestTimeout: Duration = .seconds(12), connectTimeout: Duration = .seconds(5),
                discoversPeers: Bool = true) {
        self.contactPoints = contactPoints
        self.port = port
        self.keyspace = keyspace
        self.table = table
        self.credentials = credentials
        self.consistency = consistency
        self.replication = replication
        self.maximumInFlight = max(1, maximumInFlight)
        self.retry = retry
        self.pageSize = max(1, pageSize)
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
        self.discoversPeers = discoversPeers
    }

    /// The users table as CQL names it, `keyspace.table`.
    public var qualifiedTable: String { "\(keyspace).\(table)" }

    /// `cassandra://user:****@hosts/keyspace`: the password never shows.
    public var description: String {
        let user = credentials.map { "\($0.username):****@" } ?? ""
        return "cassandra://\(user)\(contactPoints.joined(separator: ","))/\(keyspace)"
    }

    /// The session settings; no keyspace is USEd because statements name it and `setup` may create it.
    var sessionConfiguration: CQLSessionConfiguration {
        CQLSessionConfiguration(contactPoints: contactPoints, port: port, credentials: credentials, keyspace: nil,
                                defaultConsistency: consistency, connectTimeout: connectTimeout, requestTimeout: requestTimeout,
                                discoversPeers: discoversPeers)
    }
}

extension CassandraSinkConfiguration {
    /// Replaces the URL's credentials with those given apart from it;
    /// a user name needs a password and the other way round.
    public mutating func setCredentials(username: String?, password: String?) throws(SinkConfigurationError) {
        let user = username ?? credentials?.username
        let secret = password ?? credentials?.password
        switch (user, secret) {
        case (nil, nil):
            credentials = nil
        case (let user?, let secret?):
            guard !user.isEmpty else { throw .incompleteCredentials(.userNameEmpty) }
            credentials = CQLCredentials(username: user, password: secret)
        case (_?, nil):
            throw .incompleteCredentials(.password)
        case (nil, _?):
            throw .incompleteCredentials(.userName)
        }
    }
}
