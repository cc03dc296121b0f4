import NIOCore

/// The life of one CQL connection as a value: handshake (OPTIONS → SUPPORTED → STARTUP →
/// [AUTHENTICATE → AUTH_RESPONSE → AUTH_SUCCESS] → READY), then multiplexed requests on stream ids.
/// It takes events and returns actions; it performs no I/O. `CQLChannelHandler` performs the actions.
struct CQLConnectionStateMachine {
    /// Which protocol version to speak.
    enum VersionChoice: Sendable, Hashable {
        /// Ask with OPTIONS and use v5 when offered, else v4.
        case negotiate
        /// Use exactly this version.
        case exactly(CQLProtocolVersion)
    }

    struct Configuration {
        var host: String
        var versionChoice: VersionChoice
        var credentials: CQLCredentials?
        var streamLimit: Int = CQLStreamIDs.protocolMaximum
    }

    /// A request waiting for its response.
    struct PendingRequest {
        var request: CQLRequest
        var promise: EventLoopPromise<CQLResponse>
        var knownColumns: [CQLColumn]?
        var timeout: TimeAmount?
        var timedOut = false
    }

    enum Action {
        /// Write this frame; `segmented` says whether it goes inside v5 segments.
        case write(CQLFrame, segmented: Bool)
        /// From now on read segments instead of plain frames.
        case switchInboundToSegments
        case scheduleTimeout(stream: Int16, after: TimeAmount)
        case cancelTimeout(stream: Int16)
        case succeed(EventLoopPromise<CQLResponse>, CQLResponse)
        case fail(EventLoopPromise<CQLResponse>, CQLError)
        case startupSucceeded(CQLProtocolVersion)
        case startupFailed(CQLError)
        case close
    }

    private enum State {
        case idle
        case awaitingSupported
        case awaitingStartupReply(CQLProtocolVersion)
        case authenticating(CQLProtocolVersion)
        case ready(CQLProtocolVersion)
        case closed
    }

    private let configuration: Configuration
    private var state: State = .idle
    private var streams: CQLStreamIDs
    private var pending: [Int16: PendingRequest] = [:]
    private var waiting: [PendingRequest] = []
    private var waitingStart = 0

    init(configuration: Configuration) {
        self.configuration = configuration
        self.streams = CQLStreamIDs(limit: configuration.streamLimit)
    }

    /// Requests sent and not yet answered (timed-out ones included: their ids stay reserved).
    var inFlightCount: Int { pending.count }
    /// Requests queued because every stream id is taken.
    var queuedCount: Int { waiting.count - waitingStart }
    /// Whether the handshake finished.
    var isReady: Bool { if case .ready = state { true } else { false } }

    // MARK: events

    /// The TCP connection is up: start the handshake.
    mutating func connected() -> [Action] {
        guard case .idle = state else { return [] }
        switch configuration.versionChoice {
        case .negotiate:
            state = .awaitingSupported
            // OPTIONS goes as v4: every server from Cassandra 2.2 on understands it.
            return [.write(CQLRequest.options.frame(stream: 0, version: .v4), segmented: false)]
        case .exactly(let version):
            return sendStartup(version)
        }
    }

    /// A whole frame arrived.
    mutating func received(_ frame: CQLFrame) -> [Action] {
        if frame.header.stream < 0 { return [] }  // events; this client never REGISTERs
        switch state {
        case .idle, .closed:
            return []
        case .awaitingSupported:
            return handshakeResponse(frame) { machine, response in
                guard case .supported(let options) = response else { return machine.startupError(unexpected: response) }
                let offered = options["PROTOCOL_VERSIONS"] ?? []
                // Non-beta v5 only: beta versions need the USE_BETA flag and may change.
                let v5 = offered.contains { $0.hasPrefix("5/") && !$0.lowercased().contains("beta") }
                return machine.sendStartup(v5 ? .v5 : .v4)
            }
        case .awaitingStartupReply(let version):
            return handshakeResponse(frame) { machine, response in
                switch response {
                case .ready:
                    machine.state = .ready(version)
                    return (version.usesSegments ? [.switchInboundToSegments] : []) + [.startupSucceeded(version)]
                case .authenticate(let authenticator):
                    let switchFraming: [Action] = version.usesSegments ? [.switchInboundToSegments] : []
                    guard let credentials = machine.configuration.credentials else {
                        machine.state = .closed
                        return switchFraming + [.startupFailed(.authenticationRequired(host: machine.configuration.host, authenticator: authenticator)), .close]
                    }
                    machine.state = .authenticating(version)
                    return switchFraming + [.write(CQLRequest.authResponse(token: credentials.plainToken).frame(stream: 0, version: version), segmented: version.usesSegments)]
                case .error(let error) where error.code == .protocolError && version == .v5:
                    machine.state = .closed
                    return [.startupFailed(.protocolVersionRejected(host: machine.configuration.host, version: version, serverMessage: error.message)), .close]
                default:
                    return machine.startupError(unexpected: response)
                }
            }
        case .authenticating(let version):
            return handshakeResponse(frame) { machine, response in
                switch response {
                case .authSuccess:
                    machine.state = .ready(version)
                    return [.startupSucceeded(version)]
                case .authChallenge:
                    // PLAIN has a single step; answer any challenge with the same token.
                    let token = machine.configuration.credentials?.plainToken
                    return [.write(CQLRequest.authResponse(token: token).frame(stream: 0, version: version), segmented: version.usesSegments)]
                case .error(let error) where error.code == .authenticationError:
                    machine.state = .closed
                    return [.startupFailed(.authenticationFailed(user: machine.configuration.credentials?.username ?? "", host: machine.configuration.host, serverMessage: error.message)), .close]
                default:
                    return machine.startupError(unexpected: response)
                }
            }
        case .ready(let version):
            guard let request = pending.removeValue(forKey: frame.header.stream) else {
                return []  // a reply for a stream we never used; ignore it
            }
            streams.release(frame.header.stream)
            var actions: [Action] = []
            if !request.timedOut {
                if request.timeout != nil { actions.append(.cancelTimeout(stream: frame.header.stream)) }
                do {
                    let response = try CQLResponse.decode(frame, knownColumns: request.knownColumns)
                    if case .error(let error) = response {
                        actions.append(.fail(request.promise, .server(error, host: configuration.host)))
                    } else {
                        actions.append(.succeed(request.promise, response))
                    }
                } catch {
                    actions.append(.fail(request.promise, error))
                }
            }
            return actions + dispatchWaiting(version)
        }
    }

    /// The user sends a request.
    mutating func send(_ request: CQLRequest, knownColumns: [CQLColumn]?, timeout: TimeAmount?, promise: EventLoopPromise<CQLResponse>) -> [Action] {
        let pendingRequest = PendingRequest(request: request, promise: promise, knownColumns: knownColumns, timeout: timeout)
        switch state {
        case .ready(let version):
            waiting.append(pendingRequest)
            return dispatchWaiting(version)
        case .closed:
            return [.fail(promise, .connectionLost(host: configuration.host, reason: "the connection is closed"))]
        default:
            return [.fail(promise, .protocolViolation("a request was sent before the connection was ready"))]
        }
    }

    /// A request's timer fired.
    mutating func timeoutFired(stream: Int16) -> [Action] {
        guard var request = pending[stream], !request.timedOut else { return [] }
        request.timedOut = true
        pending[stream] = request  // keep the id until the late reply or the close
        return [.fail(request.promise, .requestTimedOut(host: configuration.host, request: request.request.summary, timeout: request.timeout.map(Duration.init) ?? .zero))]
    }

    /// The handshake took too long.
    mutating func startupTimedOut(after timeout: TimeAmount) -> [Action] {
        switch state {
        case .awaitingSupported, .awaitingStartupReply, .authenticating, .idle:
            state = .closed
            return [.startupFailed(.requestTimedOut(host: configuration.host, request: "connection handshake", timeout: Duration(timeout))), .close]
        default:
            return []
        }
    }

    /// Bytes could not be decoded: the stream is unusable.
    mutating func decodingFailed(_ error: CQLError) -> [Action] {
        closeAll(error: error) + [.close]
    }

    /// The owner closes the connection.
    mutating func closeRequested() -> [Action] {
        closeAll(error: .closed) + [.close]
    }

    /// The TCP connection closed.
    mutating func channelClosed(reason: String) -> [Action] {
        closeAll(error: .connectionLost(host: configuration.host, reason: reason))
    }

    // MARK: helpers

    private mutating func sendStartup(_ version: CQLProtocolVersion) -> [Action] {
        state = .awaitingStartupReply(version)
        // STARTUP is never framed in segments, even for v5 (section 2.3.1 of the v5 spec).
        return [.write(CQLRequest.startup(options: ["CQL_VERSION": "3.0.0", "DRIVER_NAME": "userstream CQL"]).frame(stream: 0, version: version), segmented: false)]
    }

    private mutating func handshakeResponse(_ frame: CQLFrame, _ next: (inout Self, CQLResponse) -> [Action]) -> [Action] {
        do {
            let response = try CQLResponse.decode(frame)
            return next(&self, response)
        } catch {
            state = .closed
            return [.startupFailed(error), .close]
        }
    }

    private mutating func startupError(unexpected response: CQLResponse) -> [Action] {
        state = .closed
        if case .error(let error) = response {
            return [.startupFailed(.server(error, host: configuration.host)), .close]
        }
        return [.startupFailed(.protocolViolation("unexpected \(response) during the connection handshake with \(configuration.host)")), .close]
    }

    private mutating func dispatchWaiting(_ version: CQLProtocolVersion) -> [Action] {
        var actions: [Action] = []
        while waitingStart < waiting.count, let stream = streams.reserve() {
            let request = waiting[waitingStart]
            waitingStart += 1
            pending[stream] = request
            actions.append(.write(request.request.frame(stream: stream, version: version), segmented: version.usesSegments))
            if let timeout = request.timeout { actions.append(.scheduleTimeout(stream: stream, after: timeout)) }
        }
        if waitingStart == waiting.count {
            waiting.removeAll(keepingCapacity: true)
            waitingStart = 0
        }
        return actions
    }

    private mutating func closeAll(error: CQLError) -> [Action] {
        var actions: [Action] = []
        switch state {
        case .closed:
            break
        case .ready:
            break
        default:
            actions.append(.startupFailed(error))
        }
        state = .closed
        for (stream, request) in pending.sorted(by: { $0.key < $1.key }) where !request.timedOut {
            if request.timeout != nil { actions.append(.cancelTimeout(stream: stream)) }
            actions.append(.fail(request.promise, error))
        }
        pending.removeAll()
        for request in waiting[waitingStart...] { actions.append(.fail(request.promise, error)) }
        waiting.removeAll()
        waitingStart = 0
        return actions
    }
}
