import NIOCore
import NIOPosix

/// Settings for one connection.
public struct CQLConnectionConfiguration: Sendable {
    /// Protocol version preference: nil negotiates (v5 when offered, else v4).
    public var protocolVersion: CQLProtocolVersion?
    /// Credentials for PasswordAuthenticator; nil when the cluster does not authenticate.
    public var credentials: CQLCredentials?
    /// How long TCP connect plus handshake may take.
    public var connectTimeout: Duration
    /// Default per-request timeout.
    public var requestTimeout: Duration
    /// At most this many requests in flight; further ones queue (protocol maximum 32768).
    public var maximumInFlight: Int

    /// Creates connection settings.
    public init(protocolVersion: CQLProtocolVersion? = nil, credentials: CQLCredentials? = nil,
                connectTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(12),
                maximumInFlight: Int = 1024) {
        self.protocolVersion = protocolVersion
        self.credentials = credentials
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.maximumInFlight = maximumInFlight
    }
}

/// One open, authenticated connection to one node; many requests may be in flight at once.
public final class CQLConnection: Sendable {
    /// "host:port" of the node.
    public let host: String
    /// The protocol version agreed in the handshake.
    public let protocolVersion: CQLProtocolVersion
    private let channel: any Channel
    private let requestTimeout: Duration

    private init(host: String, protocolVersion: CQLProtocolVersion, channel: any Channel, requestTimeout: Duration) {
        self.host = host
        self.protocolVersion = protocolVersion
        self.channel = channel
        self.requestTimeout = requestTimeout
    }

    /// Connects and completes the handshake; when the server refuses v5, connects again with v4.
    public static func connect(host: String, port: Int = 9042, configuration: CQLConnectionConfiguration,
                               eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws(CQLError) -> CQLConnection {
        let choice: CQLConnectionStateMachine.VersionChoice = configuration.protocolVersion.map { .exactly($0) } ?? .negotiate
        do {
            return try await connect(host: host, port: port, choice: choice, configuration: configuration, eventLoopGroup: eventLoopGroup)
        } catch CQLError.protocolVersionRejected(_, .v5, _) {
            return try await connect(host: host, port: port, choice: .exactly(.v4), configuration: configuration, eventLoopGroup: eventLoopGroup)
        }
    }

    private static func connect(host: String, port: Int, choice: CQLConnectionStateMachine.VersionChoice,
                                configuration: CQLConnectionConfiguration, eventLoopGroup: any EventLoopGroup) async throws(CQLError) -> CQLConnection {
        let label = "\(host):\(port)"
        let machineConfiguration = CQLConnectionStateMachine.Configuration(
            host: label, versionChoice: choice, credentials: configuration.credentials,
            streamLimit: min(max(1, configuration.maximumInFlight), CQLStreamIDs.protocolMaximum))
        let eventLoop = eventLoopGroup.next()
        let startup = eventLoop.makePromise(of: CQLProtocolVersion.self)
        let timeout = TimeAmount(configuration.connectTimeout)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(timeout)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            CQLChannelHandler(configuration: machineConfiguration, startupTimeout: timeout, startupPromise: startup))
                    }
                }
                .connect(host: host, port: port).get()
        } catch {
            startup.fail(CQLError.connectionFailed(host: label, reason: "\(error)"))
            throw .connectionFailed(host: label, reason: "\(error)")
        }
        do {
            let version = try await startup.futureResult.get()
            return CQLConnection(host: label, protocolVersion: version, channel: channel, requestTimeout: configuration.requestTimeout)
        } catch {
            try? await channel.close()
            throw error as? CQLError ?? .connectionFailed(host: label, reason: "\(error)")
        }
    }

    /// Sends a request and waits for its response; ERROR responses throw `CQLError.server`.
    /// `knownColumns` decodes rows that arrive without metadata.
    public func send(_ request: CQLRequest, knownColumns: [CQLColumn]? = nil, timeout: Duration? = nil) async throws(CQLError) -> CQLResponse {
        let promise = channel.eventLoop.makePromise(of: CQLResponse.self)
        let command = CQLCommand.request(request, knownColumns: knownColumns, timeout: TimeAmount(timeout ?? requestTimeout), promise: promise)
        channel.writeAndFlush(command).whenFailure { error in
            promise.fail(CQLError.connectionLost(host: self.host, reason: "\(error)"))
        }
        do {
            return try await promise.futureResult.get()
        } catch {
            throw error as? CQLError ?? .connectionLost(host: host, reason: "\(error)")
        }
    }

    /// Whether the TCP connection is still open.
    public var isActive: Bool { channel.isActive }

    /// Completes when the connection has closed.
    public var closeFuture: EventLoopFuture<Void> { channel.closeFuture }

    /// Fails in-flight requests with `CQLError.closed` and closes the connection.
    public func close() async {
        channel.writeAndFlush(CQLCommand.close, promise: nil)
        try? await channel.closeFuture.get()
    }
}
