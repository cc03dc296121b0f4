import KafkaProtocol
import NIOCore
import NIOPosix
import NIOSSL

/// One TCP (or TLS) connection to one broker, ready for requests: versions negotiated and, when
/// configured, SASL done. Requests are pipelined; responses are matched by correlation id.
public final class BrokerConnection: Sendable {
    /// The broker's address.
    public let address: BrokerAddress
    /// The broker's node id, or -1 for a bootstrap connection whose id is not known yet.
    public let nodeID: Int32
    let channel: any Channel
    let clientID: String
    let requestTimeout: Duration
    /// The versions negotiated with this broker.
    public let negotiation: ApiVersionNegotiation

    private init(address: BrokerAddress, nodeID: Int32, channel: any Channel, clientID: String, requestTimeout: Duration, negotiation: ApiVersionNegotiation) {
        self.address = address
        self.nodeID = nodeID
        self.channel = channel
        self.clientID = clientID
        self.requestTimeout = requestTimeout
        self.negotiation = negotiation
    }

    /// Whether the connection can still carry requests.
    public var isActive: Bool { channel.isActive }

    /// Connects, negotiates API versions and authenticates.
    public static func connect(
        to address: BrokerAddress,
        nodeID: Int32 = -1,
        configuration: KafkaConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> BrokerConnection {
        let sslContext: NIOSSLContext?
        do {
            sslContext = try configuration.tls.map { try NIOSSLContext(configuration: $0) }
        } catch {
            throw KafkaError.configuration("TLS settings are invalid: \(error)")
        }
        let host = address.host
        let bootstrap = ClientBootstrap(group: eventLoopGroup)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        let tls = try NIOSSLClientHandler(context: sslContext, serverHostname: host.first?.isNumber == true || host.contains(":") ? nil : host)
                        try channel.pipeline.syncOperations.addHandler(tls)
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(KafkaFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(BrokerChannelHandler(address: address))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: address.host, port: address.port).get()
        } catch {
            throw KafkaError.connectionFailed(address, reason: Self.describe(error))
        }
        do {
            let ranges = try await negotiateVersions(channel: channel, address: address, configuration: configuration)
            let connection = BrokerConnection(
                address: address, nodeID: nodeID, channel: channel, clientID: configuration.clientID,
                requestTimeout: configuration.requestTimeout, negotiation: ApiVersionNegotiation(brokerRanges: ranges))
            if let sasl = configuration.sasl {
                try await SASLAuthenticator(configuration: sasl).authenticate(on: connection)
            }
            return connection
        } catch {
            channel.close(promise: nil)
            throw error
        }
    }

    /// Sends ApiVersions at our highest version; after UNSUPPORTED_VERSION, at the broker's.
    private static func negotiateVersions(channel: any Channel, address: BrokerAddress, configuration: KafkaConfiguration) async throws -> [Int16: ClosedRange<Int16>] {
        var version = ClientApiVersions.range(for: .apiVersions)!.upperBound
        for _ in 0..<3 {
            let request = ApiVersionsRequest(clientSoftwareName: "userstream", clientSoftwareVersion: "1.0")
            var frame = try await exchange(request, version: version, channel: channel, address: address, clientID: configuration.clientID, timeout: configuration.requestTimeout, expectsResponse: true)
            _ = try ResponseHeader.decode(from: &frame, apiKey: .apiVersions, apiVersion: version)
            let errorCode = frame.getInteger(at: frame.readerIndex, as: Int16.self) ?? 0
            // A broker that does not know our version answers in the v0 layout.
            let response = try ApiVersionsResponse(from: &frame, version: errorCode == KafkaErrorCode.unsupportedVersion.rawValue ? 0 : version)
            let ranges = Dictionary(response.apiKeys.map { ($0.apiKey, $0.minVersion...max($0.minVersion, $0.maxVersion)) }, uniquingKeysWith: { a, _ in a })
            if response.errorCode == 0 { return ranges }
            if response.errorCode == KafkaErrorCode.unsupportedVersion.rawValue, version > 0 {
                version = ApiVersionNegotiation.retryVersion(afterRejecting: version, brokerRanges: ranges)
                continue
            }
            throw KafkaError.broker(code: response.errorCode, name: KafkaErrorCode(rawValue: response.errorCode).name, message: nil, context: "ApiVersions to \(address)", retriable: false)
        }
        throw KafkaError.unsupportedVersion(api: "ApiVersions", address)
    }

    /// The version to use for `R` with this broker.
    public func version<R: KafkaRequest>(for type: R.Type) throws -> Int16 {
        guard let ours = ClientApiVersions.range(for: R.apiKey),
              let version = negotiation.version(apiKey: R.apiKey.rawValue, clientSupports: ours.clamped(to: R.supportedVersions))
        else {
            throw KafkaError.unsupportedVersion(api: R.apiKey.name, address)
        }
        return version
    }

    /// Sends `request` at the negotiated version and waits for its response.
    public func send<R: KafkaRequest>(_ request: R, timeout: Duration? = nil) async throws -> R.Response {
        let version = try version(for: R.self)
        return try await send(request, version: version, timeout: timeout)
    }

    /// Sends `request` at `version` and waits for its response.
    public func send<R: KafkaRequest>(_ request: R, version: Int16, timeout: Duration? = nil) async throws -> R.Response {
        var frame = try await Self.exchange(request, version: version, channel: channel, address: address, clientID: clientID, timeout: timeout ?? requestTimeout, expectsResponse: true)
        do {
            _ = try ResponseHeader.decode(from: &frame, apiKey: R.apiKey, apiVersion: version)
            return try R.Response(from: &frame, version: version)
        } catch {
            throw KafkaError.malformedResponse("\(R.apiKey.name) v\(version) from \(address): \(error)")
        }
    }

    /// Sends `request` that the broker does not answer (Produce with acks=0); returns once written.
    public func sendWithoutResponse<R: KafkaRequest>(_ request: R) async throws {
        let version = try version(for: R.self)
        _ = try await Self.exchange(request, version: version, channel: channel, address: address, clientID: clientID, timeout: requestTimeout, expectsResponse: false)
    }

    /// Closes the connection; in-flight requests fail as retriable.
    public func close() {
        channel.close(promise: nil)
    }

    private static func exchange<R: KafkaRequest>(_ request: R, version: Int16, channel: any Channel, address: BrokerAddress, clientID: String, timeout: Duration, expectsResponse: Bool) async throws -> ByteBuffer {
        var buffer = channel.allocator.buffer(capacity: 64 + clientID.utf8.count + request.encodedSizeHint)
        buffer.writeInteger(Int32(0))
        do {
            try RequestHeader(apiKey: R.apiKey, apiVersion: version, correlationId: 0, clientId: clientID).encode(into: &buffer)
            try request.encode(into: &buffer, version: version)
        } catch {
            throw KafkaError.configuration("cannot encode \(R.apiKey.name) v\(version): \(error)")
        }
        buffer.setInteger(Int32(buffer.readableBytes - 4), at: buffer.readerIndex)
        let promise = channel.eventLoop.makePromise(of: ByteBuffer.self)
        let request = BrokerRequest(
            frame: buffer, api: R.apiKey.name, expectsResponse: expectsResponse,
            timeout: TimeAmount(timeout), promise: promise)
        // A channel that closed after it was handed out never reaches the handler that answers
        // or times out requests: the failed write must fail the request, or it waits forever.
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { _ in promise.fail(KafkaError.connectionClosed(address)) }
        channel.writeAndFlush(request, promise: written)
        return try await promise.futureResult.get()
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? KafkaError { return error.description }
        let text = "\(error)"
        if text.contains("refused") || text.contains("ECONNREFUSED") { return "connection refused" }
        return text
    }
}
