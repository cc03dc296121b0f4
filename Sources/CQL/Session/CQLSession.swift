import Logging
import NIOCore
import NIOPosix

/// A client for a Cassandra cluster: connections to its nodes (peers found from system.peers),
/// round-robin over live nodes, reconnects with capped backoff, prepared statements re-prepared
/// when a node forgot them, and schema agreement after DDL.
public actor CQLSession {
    private let configuration: CQLSessionConfiguration
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private var ring: CQLNodeRing
    private var connections: [CQLNodeRing.Node: CQLConnection] = [:]
    private var connecting: [CQLNodeRing.Node: Task<CQLConnection, any Error>] = [:]
    private var isClosed = false

    /// Creates a session; nothing connects until `connect()` or the first request.
    public init(configuration: CQLSessionConfiguration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                logger: Logger = Logger(label: "cql")) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.ring = CQLNodeRing(nodes: configuration.contactNodes, baseDelay: configuration.reconnectDelay,
                                maximumDelay: configuration.maximumReconnectDelay)
    }

    /// Connects to the first reachable contact point and discovers its peers.
    public func connect() async throws(CQLError) {
        var attempts: [String] = []
        for node in ring.queryPlan(now: .now) {
            do {
                let connection = try await connection(to: node)
                if configuration.discoversPeers { await discoverPeers(using: connection) }
                return
            } catch {
                attempts.append(Self.attempt(node, error))
                if case .authenticationFailed = error { throw error }
                if case .authenticationRequired = error { throw error }
            }
        }
        throw .noHostAvailable(attempts: attempts)
    }

    /// The protocol version of a live connection, if any.
    public var protocolVersion: CQLProtocolVersion? { connections.values.first?.protocolVersion }

    /// The nodes the session knows, "host:port".
    public var knownNodes: [String] { ring.nodes.map(\.label) }

    /// Runs a CQL string with positional values (encoded by their own types).
    public func query(_ cql: String, values: [CQLValue] = [], consistency: CQLConsistency? = nil,
                      options: CQLStatementOptions = CQLStatementOptions()) async throws(CQLError) -> CQLQueryResult {
        let parameters = queryParameters(values: values.isEmpty ? nil : values, consistency: consistency, options: options, skipMetadata: false)
        let result = try await run(options: options) { connection async throws(CQLError) in
            try await connection.send(.query(cql, parameters), timeout: options.timeout)
        }
        return try await finish(result)
    }

    /// Runs a query and follows paging states until the last page.
    public func queryAll(_ cql: String, values: [CQLValue] = [], consistency: CQLConsistency? = nil, pageSize: Int32 = 5000) async throws(CQLError) -> [CQLRow] {
        var options = CQLStatementOptions(isIdempotent: true, pageSize: pageSize)
        var rows: [CQLRow] = []
        while true {
            let page = try await query(cql, values: values, consistency: consistency, options: options)
            rows += page.rows
            guard let state = page.pagingState else { return rows }
            options.pagingState = state
        }
    }

    /// Prepares a statement; the result carries the bind-variable types.
    public func prepare(_ cql: String) async throws(CQLError) -> CQLPreparedStatement {
        let response = try await run(options: CQLStatementOptions(isIdempotent: true)) { connection async throws(CQLError) in
            try await connection.send(.prepare(cql))
        }
        guard case .result(.prepared(let prepared)) = response else {
            throw .protocolViolation("PREPARE was answered with \(response)")
        }
        return CQLPreparedStatement(query: cql, result: prepared)
    }

    /// Executes a prepared statement; values are converted to the bind-variable types first.
    /// A node that answers UNPREPARED gets the statement prepared again and the request once more.
    public func execute(_ prepared: CQLPreparedStatement, values: [CQLValue], consistency: CQLConsistency? = nil,
                        options: CQLStatementOptions = CQLStatementOptions()) async throws(CQLError) -> CQLQueryResult {
        let parameters = queryParameters(values: try prepared.bind(values), consistency: consistency, options: options,
                                         skipMetadata: !prepared.resultColumns.isEmpty)
        let request = CQLRequest.execute(id: prepared.id, resultMetadataID: prepared.resultMetadataID, parameters)
        let result = try await run(options: options) { connection async throws(CQLError) in
            do throws(CQLError) {
                return try await connection.send(request, knownColumns: prepared.resultColumns, timeout: options.timeout)
            } catch .server(let error, _) where error.code == .unprepared {
                _ = try await connection.send(.prepare(prepared.query))
                return try await connection.send(request, knownColumns: prepared.resultColumns, timeout: options.timeout)
            }
        }
        return try await finish(result)
    }

    /// Executes a prepared statement with values named by bind variable.
    public func execute(_ prepared: CQLPreparedStatement, named values: [String: CQLValue], consistency: CQLConsistency? = nil,
                        options: CQLStatementOptions = CQLStatementOptions()) async throws(CQLError) -> CQLQueryResult {
        // `execute(_:values:)` converts them; converting here too would do it twice.
        try await execute(prepared, values: try prepared.positional(named: values), consistency: consistency, options: options)
    }

    /// Sends a logged, unlogged or counter batch; prepared statements' values are bound to their types.
    public func batch(_ kind: CQLBatch.Kind, _ statements: [CQLBatchStatement], consistency: CQLConsistency? = nil,
                      options: CQLStatementOptions = CQLStatementOptions()) async throws(CQLError) -> CQLQueryResult {
        var wire: [CQLBatch.Statement] = []
        var preparedByID: [[UInt8]: CQLPreparedStatement] = [:]
        for statement in statements {
            switch statement {
            case .query(let cql, let values): wire.append(.query(cql, values: values))
            case .prepared(let prepared, let values):
                wire.append(.prepared(id: prepared.id, values: try prepared.bind(values)))
                preparedByID[prepared.id] = prepared
            }
        }
        let batch = CQLBatch(kind: kind, statements: wire, consistency: consistency ?? configuration.defaultConsistency,
                             serialConsistency: options.serialConsistency, defaultTimestamp: options.defaultTimestamp)
        let result = try await run(options: options) { connection async throws(CQLError) in
            do throws(CQLError) {
                return try await connection.send(.batch(batch), timeout: options.timeout)
            } catch .server(let error, let host) where error.code == .unprepared {
                guard case .unprepared(let id) = error.details, let prepared = preparedByID[id] else {
                    throw .server(error, host: host)
                }
                _ = try await connection.send(.prepare(prepared.query))
                return try await connection.send(.batch(batch), timeout: options.timeout)
            }
        }
        return try await finish(result)
    }

    /// Waits until every node reports the same schema version (system.local and system.peers).
    public func waitForSchemaAgreement() async throws(CQLError) {
        let deadline = ContinuousClock.now + configuration.schemaAgreementTimeout
        var versions: [String: String] = [:]
        while true {
            versions = try await schemaVersions()
            if Set(versions.values).count <= 1 { return }
            if ContinuousClock.now >= deadline {
                throw .schemaAgreementTimedOut(versions: versions, timeout: configuration.schemaAgreementTimeout)
            }
            try? await Task.sleep(for: configuration.schemaAgreementInterval)
        }
    }

    /// Closes every connection; later calls fail with `CQLError.closed`.
    public func close() async {
        isClosed = true
        for task in connecting.values { task.cancel() }
        let open = connections.values
        connections.removeAll()
        for connection in open { await connection.close() }
    }

    // MARK: internals

    private func queryParameters(values: [CQLValue]?, consistency: CQLConsistency?, options: CQLStatementOptions, skipMetadata: Bool) -> CQLQueryParameters {
        CQLQueryParameters(consistency: consistency ?? configuration.defaultConsistency, values: values, skipMetadata: skipMetadata,
                           pageSize: options.pageSize, pagingState: options.pagingState,
                           serialConsistency: options.serialConsistency, defaultTimestamp: options.defaultTimestamp)
    }

    private func finish(_ response: CQLResponse) async throws(CQLError) -> CQLQueryResult {
        var result = CQLQueryResult(rows: [], columns: [], pagingState: nil, schemaChange: nil, keyspace: nil)
        switch response {
        case .result(.rows(let rows)):
            result.rows = rows.rows
            result.columns = rows.columns
            result.pagingState = rows.pagingState
        case .result(.schemaChange(let change)):
            result.schemaChange = change
            try await waitForSchemaAgreement()
        case .result(.setKeyspace(let keyspace)):
            result.keyspace = keyspace
        default:
            break
        }
        return result
    }

    /// Sends on the next node of the plan; moves on when a node is unreachable, and — for
    /// idempotent statements — when the connection drops or the request times out.
    private func run<Result: Sendable>(options: CQLStatementOptions, _ send: (CQLConnection) async throws(CQLError) -> Result) async throws(CQLError) -> Result {
        guard !isClosed else { throw .closed }
        var attempts: [String] = []
        for node in ring.queryPlan(now: .now) {
            if ring.isBackingOff(node, now: .now) && connections[node] == nil && !attempts.isEmpty { continue }
            let connection: CQLConnection
            do {
                connection = try await self.connection(to: node)
            } catch {
                attempts.append(Self.attempt(node, error))
                switch error {
                case .authenticationFailed, .authenticationRequired, .closed: throw error
                default: continue
                }
            }
            do {
                return try await send(connection)
            } catch {
                switch error {
                case .connectionLost:
                    dropConnection(node, connection)
                    guard options.isIdempotent else { throw error }
                case .requestTimedOut:
                    guard options.isIdempotent else { throw error }
                case .server(let serverError, _) where serverError.code == .overloaded || serverError.code == .isBootstrapping:
                    break  // the node did not run the request; another node may
                default:
                    throw error
                }
                logger.debug("retrying on another node", metadata: ["node": "\(node.label)", "error": "\(error)"])
                attempts.append(Self.attempt(node, error))
            }
        }
        throw .noHostAvailable(attempts: attempts)
    }

    private func connection(to node: CQLNodeRing.Node) async throws(CQLError) -> CQLConnection {
        guard !isClosed else { throw .closed }
        if let existing = connections[node], existing.isActive { return existing }
        connections[node] = nil
        let task: Task<CQLConnection, any Error>
        if let inProgress = connecting[node] {
            task = inProgress
        } else {
            let configuration = self.configuration
            let group = eventLoopGroup
            // Stored, not a child: every caller that wants this node meanwhile awaits the same connect.
            task = Task {
                let connection = try await CQLConnection.connect(host: node.host, port: node.port,
                                                                 configuration: configuration.connectionConfiguration, eventLoopGroup: group)
                if let keyspace = configuration.keyspace {
                    do {
                        _ = try await connection.send(.query("USE \"\(keyspace.replacingOccurrences(of: "\"", with: "\"\""))\"", CQLQueryParameters()))
                    } catch {
                        await connection.close()
                        throw error
                    }
                }
                return connection
            }
            connecting[node] = task
        }
        do {
            let connection = try await task.value
            connecting[node] = nil
            if isClosed {
                await connection.close()
                throw CQLError.closed
            }
            connections[node] = connection
            ring.markUp(node)
            logger.debug("connected", metadata: ["node": "\(node.label)", "protocol": "\(connection.protocolVersion)"])
            return connection
        } catch {
            connecting[node] = nil
            let cqlError = error as? CQLError ?? .connectionFailed(host: node.label, reason: "\(error)")
            ring.markDown(node, now: .now)
            logger.warning("cannot use node", metadata: ["node": "\(node.label)", "error": "\(cqlError)"])
            throw cqlError
        }
    }

    /// One node's failure for `noHostAvailable`, naming the node once even when the error names it too.
    private static func attempt(_ node: CQLNodeRing.Node, _ error: CQLError) -> String {
        let text = "\(error)"
        return text.contains(node.label) ? text : "\(node.label): \(text)"
    }

    private func dropConnection(_ node: CQLNodeRing.Node, _ connection: CQLConnection) {
        if connections[node] === connection { connections[node] = nil }
        ring.markDown(node, now: .now)
    }

    /// Adds peers from system.peers_v2 (Cassandra 4) or system.peers (older).
    private func discoverPeers(using connection: CQLConnection) async {
        let port = configuration.port
        var found: [CQLNodeRing.Node] = []
        if let rows = try? await rows(on: connection, "SELECT peer, native_address, native_port FROM system.peers_v2") {
            for row in rows {
                guard case .inet(let address)? = row["native_address"] ?? row["peer"] else { continue }
                let nativePort: Int = if case .int(let value)? = row["native_port"] { Int(value) } else { port }
                found.append(.init(host: address.description, port: nativePort))
            }
        } else if let rows = try? await rows(on: connection, "SELECT peer, rpc_address FROM system.peers") {
            for row in rows {
                var address: CQLInetAddress?
                if case .inet(let rpc)? = row["rpc_address"], rpc.bytes.contains(where: { $0 != 0 }) { address = rpc }
                if address == nil, case .inet(let peer)? = row["peer"] { address = peer }
                if let address { found.append(.init(host: address.description, port: port)) }
            }
        }
        for node in found { ring.add(node) }
        if !found.isEmpty { logger.debug("discovered peers", metadata: ["peers": "\(found.map(\.label))"]) }
    }

    private func rows(on connection: CQLConnection, _ cql: String) async throws(CQLError) -> [CQLRow] {
        let response = try await connection.send(.query(cql, CQLQueryParameters(consistency: .one)))
        guard case .result(.rows(let rows)) = response else { return [] }
        return rows.rows
    }

    private func schemaVersions() async throws(CQLError) -> [String: String] {
        try await run(options: CQLStatementOptions(isIdempotent: true)) { connection async throws(CQLError) in
            let local = try await self.rows(on: connection, "SELECT schema_version FROM system.local WHERE key='local'")
            let peers = try await self.rows(on: connection, "SELECT peer, schema_version FROM system.peers")
            var versions: [String: String] = [:]
            if let version = local.first?["schema_version"], !version.isNull { versions[connection.host] = version.description }
            for row in peers {
                guard let version = row["schema_version"], !version.isNull else { continue }
                versions[row["peer"]?.description ?? "peer"] = version.description
            }
            return versions
        }
    }
}
