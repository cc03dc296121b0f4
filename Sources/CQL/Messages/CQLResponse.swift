import NIOCore

/// A response message from the server (section 4.2 of the v4 spec).
public enum CQLResponse: Sendable, Hashable {
    case error(CQLServerError)
    case ready
    /// The server requires authentication with this authenticator class.
    case authenticate(authenticator: String)
    /// Supported STARTUP options, including PROTOCOL_VERSIONS on Cassandra 4.0 and later.
    case supported([String: [String]])
    case result(CQLResult)
    case authChallenge(token: [UInt8]?)
    case authSuccess(token: [UInt8]?)
    /// A pushed event; this client does not REGISTER, so it only logs them.
    case event(type: String)

    /// Decodes a response frame; `knownColumns` are used for rows sent without metadata.
    public static func decode(_ frame: CQLFrame, knownColumns: [CQLColumn]? = nil) throws(CQLError) -> CQLResponse {
        let version: CQLProtocolVersion = frame.header.version >= 5 ? .v5 : .v4
        var body = frame.body
        if frame.header.flags.contains(.tracing) {
            guard body.readCQLUUID() != nil else { throw .truncated("tracing id") }
        }
        if frame.header.flags.contains(.warning) {
            guard body.readCQLStringList() != nil else { throw .truncated("warnings") }
        }
        if frame.header.flags.contains(.customPayload) {
            guard body.readCQLBytesMap() != nil else { throw .truncated("custom payload") }
        }
        switch frame.header.opcode {
        case .error:
            return .error(try CQLServerError.decode(&body, version: version))
        case .ready:
            return .ready
        case .authenticate:
            guard let name = body.readCQLString() else { throw .truncated("AUTHENTICATE") }
            return .authenticate(authenticator: name)
        case .supported:
            guard let options = body.readCQLStringMultimap() else { throw .truncated("SUPPORTED") }
            return .supported(options)
        case .result:
            return .result(try CQLResult.decode(&body, version: version, knownColumns: knownColumns))
        case .authChallenge:
            guard let token = body.readCQLBytes() else { throw .truncated("AUTH_CHALLENGE") }
            return .authChallenge(token: token)
        case .authSuccess:
            guard let token = body.readCQLBytes() else { throw .truncated("AUTH_SUCCESS") }
            return .authSuccess(token: token)
        case .event:
            return .event(type: body.readCQLString() ?? "")
        default:
            throw .protocolViolation("unexpected \(frame.header.opcode) message from the server")
        }
    }

    /// Warnings the server attached to a response frame, if any.
    public static func warnings(in frame: CQLFrame) -> [String] {
        var body = frame.body
        if frame.header.flags.contains(.tracing) { _ = body.readCQLUUID() }
        guard frame.header.flags.contains(.warning) else { return [] }
        return body.readCQLStringList() ?? []
    }
}
