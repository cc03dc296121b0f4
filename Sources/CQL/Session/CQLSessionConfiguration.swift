/// Settings for a `CQLSession`.
public struct CQLSessionConfiguration: Sendable {
    /// Nodes to start from, "host" or "host:port".
    public var contactPoints: [String]
    /// The native protocol port for contact points without one and for discovered peers.
    public var port: Int
    /// Credentials for PasswordAuthenticator; nil when the cluster does not authenticate.
    public var credentials: CQLCredentials?
    /// The keyspace every connection USEs; nil for none.
    public var keyspace: String?
    /// Protocol version preference: nil negotiates (v5 when offered, else v4).
    public var protocolVersion: CQLProtocolVersion?
    /// The consistency level when a call names none.
    public var defaultConsistency: CQLConsistency
    /// TCP connect plus handshake limit.
    public var connectTimeout: Duration
    /// Per-request limit.
    public var requestTimeout: Duration
    /// How long to wait for all nodes to agree after a schema change.
    public var schemaAgreementTimeout: Duration
    /// Pause between schema agreement checks.
    public var schemaAgreementInterval: Duration
    /// First reconnect delay after a node fails; doubles per failure up to `maximumReconnectDelay`.
    public var reconnectDelay: Duration
    /// The reconnect delay cap.
    public var maximumReconnectDelay: Duration
    /// Read system.peers to find the rest of the cluster.
    public var discoversPeers: Bool
    /// Requests in flight per connection before further ones queue.
    public var maximumInFlightPerConnection: Int

    /// Creates session settings.
    public init(contactPoints: [String], port: Int = 9042, credentials: CQLCredentials? = nil, keyspace: String? = nil,
                protocolVersion: CQLProtocolVersion? = nil, defaultConsistency: CQLConsistency = .localOne,
                connectTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(12),
                schemaAgreementTimeout: Duration = .seconds(10), schemaAgreementInterval: Duration = .milliseconds(200),
                reconnectDelay: Duration = .milliseconds(500), maximumReconnectDelay: Duration = .seconds(30),
                discoversPeers: Bool = true, maximumInFlightPerConnection: Int = 1024) {
        self.contactPoints = contactPoints
        self.port = port
        self.credentials = credentials
        self.keyspace = keyspace
        self.protocolVersion = protocolVersion
        self.defaultConsistency = defaultConsistency
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.schemaAgreementTimeout = schemaAgreementTimeout
        self.schemaAgreementInterval = schemaAgreementInterval
        self.reconnectDelay = reconnectDelay
        self.maximumReconnectDelay = maximumReconnectDelay
        self.discoversPeers = discoversPeers
        self.maximumInFlightPerConnection = maximumInFlightPerConnection
    }

    var connectionConfiguration: CQLConnectionConfiguration {
        CQLConnectionConfiguration(protocolVersion: protocolVersion, credentials: credentials, connectTimeout: connectTimeout,
                                   requestTimeout: requestTimeout, maximumInFlight: maximumInFlightPerConnection)
    }

    var contactNodes: [CQLNodeRing.Node] {
        contactPoints.map { point in
            // "[v6]:port", "host:port" or a bare host / IPv6 address.
            if point.hasPrefix("["), let close = point.firstIndex(of: "]") {
                let host = String(point[point.index(after: point.startIndex)..<close])
                let rest = point[point.index(after: close)...]
                return CQLNodeRing.Node(host: host, port: rest.hasPrefix(":") ? Int(rest.dropFirst()) ?? port : port)
            }
            let parts = point.split(separator: ":")
            if parts.count == 2, let customPort = Int(parts[1]) {
                return CQLNodeRing.Node(host: String(parts[0]), port: customPort)
            }
            return CQLNodeRing.Node(host: point, port: port)
        }
    }
}

/// Per-call options.
public struct CQLStatementOptions: Sendable {
    /// Safe to send again after a lost connection or a timeout (e.g. an upsert by primary key).
    public var isIdempotent: Bool
    /// Rows per page; nil uses the server default (5000 in Cassandra).
    public var pageSize: Int32?
    /// Continue after this page.
    public var pagingState: [UInt8]?
    /// Paxos consistency for conditional updates.
    public var serialConsistency: CQLConsistency?
    /// Client-side write timestamp in microseconds.
    public var defaultTimestamp: Int64?
    /// Overrides the session's request timeout.
    public var timeout: Duration?

    /// Creates options.
    public init(isIdempotent: Bool = false, pageSize: Int32? = nil, pagingState: [UInt8]? = nil,
                serialConsistency: CQLConsistency? = nil, defaultTimestamp: Int64? = nil, timeout: Duration? = nil) {
        self.isIdempotent = isIdempotent
        self.pageSize = pageSize
        self.pagingState = pagingState
        self.serialConsistency = serialConsistency
        self.defaultTimestamp = defaultTimestamp
        self.timeout = timeout
    }
}

/// What a QUERY, EXECUTE or BATCH returned.
public struct CQLQueryResult: Sendable {
    /// The rows of this page (empty for writes).
    public var rows: [CQLRow]
    /// The result columns.
    public var columns: [CQLColumn]
    /// Pass as `CQLStatementOptions.pagingState` for the next page; nil on the last page.
    public var pagingState: [UInt8]?
    /// Set for DDL.
    public var schemaChange: CQLSchemaChange?
    /// Set after USE.
    public var keyspace: String?

    /// Decodes every row into `type`.
    public func decode<T: Decodable>(_ type: T.Type) throws -> [T] {
        try rows.map { try $0.decode(type) }
    }
}

/// A statement prepared on the cluster, with the types the server expects for its bind variables.
public struct CQLPreparedStatement: Sendable, Hashable {
    /// The CQL text.
    public let query: String
    /// The server's statement id.
    public let id: [UInt8]
    /// The result metadata id (v5).
    public let resultMetadataID: [UInt8]?
    /// The bind variables in order, with their column types.
    public let bindVariables: [CQLColumn]
    /// The columns a SELECT returns.
    public let resultColumns: [CQLColumn]

    init(query: String, result: CQLPreparedResult) {
        self.query = query
        self.id = result.id
        self.resultMetadataID = result.resultMetadataID
        self.bindVariables = result.bindVariables
        self.resultColumns = result.resultColumns
    }

    /// Converts positional values to the bind-variable types (see `CQLValue.bound(to:)`).
    public func bind(_ values: [CQLValue]) throws(CQLError) -> [CQLValue] {
        guard values.count == bindVariables.count else {
            throw .invalidValue("the statement \"\(query.prefix(80))\" takes \(bindVariables.count) values, got \(values.count)")
        }
        var bound: [CQLValue] = []
        bound.reserveCapacity(values.count)
        for (value, column) in zip(values, bindVariables) {
            do {
                bound.append(try value.bound(to: column.type))
            } catch {
                throw .invalidValue("bind variable \(column.name): \(error)")
            }
        }
        return bound
    }

    /// Orders values given by column name; columns without a value are sent as unset.
    public func bind(named values: [String: CQLValue]) throws(CQLError) -> [CQLValue] {
        try bind(positional(named: values))
    }

    /// Named values in bind-variable order, unconverted; a missing name is `.unset`.
    func positional(named values: [String: CQLValue]) throws(CQLError) -> [CQLValue] {
        let unknown = Set(values.keys).subtracting(bindVariables.map(\.name))
        guard unknown.isEmpty else {
            throw .invalidValue("the statement \"\(query.prefix(80))\" has no bind variables named \(unknown.sorted().joined(separator: ", "))")
        }
        return bindVariables.map { values[$0.name] ?? .unset }
    }
}

/// One statement of a session batch.
public enum CQLBatchStatement: Sendable {
    case query(String, values: [CQLValue] = [])
    case prepared(CQLPreparedStatement, values: [CQLValue])
}
