/// Everything that can go wrong talking to Cassandra. Descriptions say what happened in
/// Cassandra's terms (host, user, authenticator) and never contain a password; how a program
/// configures the connection is the program's to say.
public enum CQLError: Error, Sendable, CustomStringConvertible {
    /// The server answered with an ERROR message.
    case server(CQLServerError, host: String)
    /// The server rejected the configured user name and password.
    case authenticationFailed(user: String, host: String, serverMessage: String)
    /// The server wants authentication and no credentials are configured.
    case authenticationRequired(host: String, authenticator: String)
    /// No TCP connection could be made.
    case connectionFailed(host: String, reason: String)
    /// The connection closed while requests were in flight; they may or may not have been applied.
    case connectionLost(host: String, reason: String)
    /// No response arrived within the request timeout.
    case requestTimedOut(host: String, request: String, timeout: Duration)
    /// The server refused the protocol version this client offered.
    case protocolVersionRejected(host: String, version: CQLProtocolVersion, serverMessage: String)
    /// Bytes from the server broke the protocol.
    case protocolViolation(String)
    /// A message ended before a field it must contain.
    case truncated(String)
    /// A value cannot be encoded, decoded or bound as asked.
    case invalidValue(String)
    /// Every node was tried and none could serve the request.
    case noHostAvailable(attempts: [String])
    /// Nodes still disagree on the schema after a schema change.
    case schemaAgreementTimedOut(versions: [String: String], timeout: Duration)
    /// The session or connection was closed by its owner.
    case closed

    public var description: String {
        switch self {
        case .server(let error, let host):
            switch error.code {
            case .unprepared: return "\(host): \(error) — the statement was re-prepared once and still unknown; check the node's prepared statement cache"
            case .syntaxError, .invalid: return "\(host): \(error) — check the CQL statement"
            case .unauthorized: return "\(host): \(error) — grant the user access to the keyspace"
            case .unavailable, .writeTimeout, .readTimeout, .overloaded, .isBootstrapping:
                return "\(host): \(error) — the cluster is short of healthy replicas; retry later or lower the consistency level"
            default: return "\(host): \(error)"
            }
        case .authenticationFailed(let user, let host, let serverMessage):
            return "authentication failed for user \(user) at \(host) (\(serverMessage))"
        case .authenticationRequired(let host, let authenticator):
            return "\(host) requires authentication (\(authenticator)) and no credentials are configured"
        case .connectionFailed(let host, let reason):
            return "could not connect to \(host): \(reason)"
        case .connectionLost(let host, let reason):
            return "connection to \(host) lost: \(reason) — in-flight requests may or may not have been applied; retry idempotent ones"
        case .requestTimedOut(let host, let request, let timeout):
            return "\(request) to \(host) got no response within \(timeout) — the node may be overloaded; retry or raise the request timeout"
        case .protocolVersionRejected(let host, let version, let serverMessage):
            return "\(host) refused protocol \(version): \(serverMessage) — this client needs Cassandra 2.2 or later"
        case .protocolViolation(let what):
            return "protocol violation: \(what)"
        case .truncated(let what):
            return "protocol violation: the message ended while reading \(what)"
        case .invalidValue(let what):
            return what
        case .noHostAvailable(let attempts):
            return "no Cassandra node could serve the request (\(attempts.joined(separator: "; ")))"
        case .schemaAgreementTimedOut(let versions, let timeout):
            let listing = versions.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
            return "nodes did not agree on the schema within \(timeout) (\(listing)) — a node may be down or slow; the change will still propagate"
        case .closed:
            return "the CQL session is closed"
        }
    }

    /// The server error, when this is one.
    public var serverError: CQLServerError? {
        if case .server(let error, _) = self { error } else { nil }
    }

    /// Whether the same request may succeed when sent again, possibly to another node.
    /// Only idempotent statements should be retried after `connectionLost` or `requestTimedOut`.
    public var isRetryable: Bool {
        switch self {
        case .connectionFailed, .connectionLost, .requestTimedOut, .noHostAvailable: true
        case .server(let error, _):
            [.unavailable, .overloaded, .isBootstrapping, .writeTimeout, .readTimeout, .serverError, .truncateError].contains(error.code)
        default: false
        }
    }
}
