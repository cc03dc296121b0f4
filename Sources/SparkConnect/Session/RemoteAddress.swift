/// A parsed Spark Connect address: `sc://host:port[/;param=value;…]`.
///
/// Recognised parameters: `token` (sent as a bearer token), `user_id`, `session_id` (a UUID,
/// to rejoin a session — queries started in it stay reachable) and `user_agent`.
public struct RemoteAddress: Sendable, Equatable, CustomStringConvertible {
    /// Server host name or address.
    public var host: String
    /// Server port.
    public var port: Int
    /// Bearer token sent with every request, when given.
    public var token: String?
    /// The user the session runs as.
    public var userID: String?
    /// An existing session to rejoin.
    public var sessionID: String?
    /// Client type reported to the server.
    public var userAgent: String?

    /// The port Spark Connect listens on unless told otherwise.
    public static let defaultPort = 15002

    /// Parses `address`; throws `.badAddress` saying what is wrong with it.
    public init(_ address: String) throws(SparkConnectError) {
        guard address.hasPrefix("sc://") else { throw .badAddress(address, reason: "it must start with sc://") }
        var rest = Substring(address.dropFirst(5))
        var parameters: [Substring] = []
        if let slash = rest.firstIndex(of: "/") {
            parameters = rest[rest.index(after: slash)...].split(separator: ";", omittingEmptySubsequences: true)
            rest = rest[..<slash]
        }
        let hostPort = rest
        if let colon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<colon])
            guard let port = Int(hostPort[hostPort.index(after: colon)...]), (1...65535).contains(port) else {
                throw .badAddress(address, reason: "the port must be a number from 1 to 65535")
            }
            self.port = port
        } else {
            host = String(hostPort)
            port = Self.defaultPort
        }
        guard !host.isEmpty else { throw .badAddress(address, reason: "it names no host") }
        for parameter in parameters {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { throw .badAddress(address, reason: "parameter \(parameter) is not key=value") }
            let value = String(pair[1])
            switch pair[0] {
            case "token": token = value
            case "user_id": userID = value
            case "session_id": sessionID = value
            case "user_agent": userAgent = value
            default: continue  // other parameters (use_ssl, grpc options) do not apply to this client
            }
        }
    }

    public var description: String { "sc://\(host):\(port)" }
}
