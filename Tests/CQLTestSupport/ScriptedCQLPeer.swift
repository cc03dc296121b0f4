import Foundation
import NIOCore
import NIOPosix
import Synchronization
import CQL

/// A scripted CQL protocol peer for tests. It is not Cassandra: it speaks just enough of the
/// native protocol (v4 frames; v5 segments after the handshake) to answer the handshake by
/// itself and every other request from a test-supplied script, and it records what it received.
public final class ScriptedCQLPeer: Sendable {
    /// A request as the peer understood it.
    public struct Request: Sendable {
        public var connection: Int
        public var version: UInt8
        public var stream: Int16
        public var opcode: CQLOpcode
        /// QUERY / PREPARE text.
        public var query: String?
        /// EXECUTE statement id.
        public var preparedID: [UInt8]?
        /// QUERY / EXECUTE consistency level.
        public var consistency: CQLConsistency?
        /// Bound values (raw cells) of QUERY / EXECUTE.
        public var values: [[UInt8]?] = []
        public var pagingState: [UInt8]?
        public var pageSize: Int32?
        public var authToken: [UInt8]?
    }

    /// How the script answers a request.
    public enum Reply: Sendable {
        case frame(@Sendable (Int16, CQLProtocolVersion) -> CQLFrame)
        /// Never answer (for timeouts).
        case silence
        /// Drop the TCP connection.
        case close
        /// Answer only once `gate` opens (to hold requests in flight).
        case held(ReplyGate, @Sendable (Int16, CQLProtocolVersion) -> CQLFrame)

        public static let void = Reply.frame { CQLResponseWriter.void(stream: $0, version: $1) }
        public static func error(_ error: CQLServerError) -> Reply { .frame { CQLResponseWriter.error(error, stream: $0, version: $1) } }
        public static func rows(_ columns: [CQLColumn], _ rows: [[CQLValue]], pagingState: [UInt8]? = nil) -> Reply {
            .frame { CQLResponseWriter.rows(columns: columns, rows: rows, pagingState: pagingState, stream: $0, version: $1) }
        }
    }

    public struct Configuration: Sendable {
        /// Offer v5 in SUPPORTED and accept v5 STARTUP; otherwise answer v5 with a protocol error, as Cassandra 3 does.
        public var supportsV5 = false
        /// Require this user and password (PasswordAuthenticator style).
        public var credentials: CQLCredentials?

        /// Creates peer settings.
        public init(supportsV5: Bool = false, credentials: CQLCredentials? = nil) {
            self.supportsV5 = supportsV5
            self.credentials = credentials
        }
    }

    private struct State {
        var requests: [Request] = []
        var channels: [any Channel] = []
        var connectionCount = 0
        /// Scripted requests received and not yet answered, and the most there ever were.
        var outstanding = 0
        var maximumOutstanding = 0
        var waiters: [(matches: @Sendable ([Request]) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []
    }

    public let configuration: Configuration
    private let script: @Sendable (Request) -> Reply
    private let state = Mutex(State())
    private let serverChannel: any Channel
    /// The port the peer listens on (127.0.0.1).
    public let port: Int

    private init(configuration: Configuration, script: @escaping @Sendable (Request) -> Reply, serverChannel: any Channel, port: Int) {
        self.configuration = configuration
        self.script = script
        self.serverChannel = serverChannel
        self.port = port
    }

    /// Starts a peer on a free loopback port.
    public static func start(_ configuration: Configuration = Configuration(), script: @escaping @Sendable (Request) -> Reply) async throws -> ScriptedCQLPeer {
        let box = Mutex<ScriptedCQLPeer?>(nil)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let peer = box.withLock({ $0 }) else { return }
                    let id = peer.state.withLock { state in
                        state.connectionCount += 1
                        state.channels.append(channel)
                        return state.connectionCount
                    }
                    try channel.pipeline.syncOperations.addHandler(PeerHandler(peer: peer, connection: id))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let peer = ScriptedCQLPeer(configuration: configuration, script: script, serverChannel: server, port: server.localAddress!.port!)
        box.withLock { $0 = peer }
        return peer
    }

    /// "127.0.0.1:port", as a contact point.
    public var contactPoint: String { "127.0.0.1:\(port)" }

    /// Everything received so far.
    public var requests: [Request] { state.withLock { $0.requests } }

    /// The most scripted requests that were ever waiting for their answer at once.
    public var maximumOutstanding: Int { state.withLock { $0.maximumOutstanding } }

    /// Returns once the requests received so far satisfy `condition` (checked on every request).
    public func waitUntil(_ condition: @escaping @Sendable ([Request]) -> Bool) async {
        await withCheckedContinuation { continuation in
            let satisfied = state.withLock { state in
                if condition(state.requests) { return true }
                state.waiters.append((condition, continuation))
                return false
            }
            if satisfied { continuation.resume() }
        }
    }

    /// How many TCP connections were accepted.
    public var connectionCount: Int { state.withLock { $0.connectionCount } }

    /// Stops listening and drops every connection, like a node going away.
    public func stop() async {
        try? await serverChannel.close()
        let channels = state.withLock { $0.channels }
        for channel in channels { try? await channel.close() }
    }

    fileprivate func record(_ request: Request, scripted: Bool = false) -> Reply {
        let ready = state.withLock { state in
            state.requests.append(request)
            if scripted {
                state.outstanding += 1
                state.maximumOutstanding = max(state.maximumOutstanding, state.outstanding)
            }
            let requests = state.requests
            let (ready, waiting) = (state.waiters.filter { $0.matches(requests) }, state.waiters.filter { !$0.matches(requests) })
            state.waiters = waiting
            return ready
        }
        for waiter in ready { waiter.continuation.resume() }
        return script(request)
    }

    fileprivate func answered() {
        state.withLock { $0.outstanding -= 1 }
    }

    /// Decodes requests, runs the handshake, asks the script for everything else.
    private final class PeerHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let peer: ScriptedCQLPeer
        let connection: Int
        var buffer = ByteBuffer()
        var envelopes = ByteBuffer()
        var segmented = false

        init(peer: ScriptedCQLPeer, connection: Int) {
            self.peer = peer
            self.connection = connection
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var bytes = unwrapInboundIn(data)
            buffer.writeBuffer(&bytes)
            do {
                while true {
                    if segmented {
                        guard let segment = try CQLSegmentDecoder().decode(&buffer) else { break }
                        var payload = segment.payload
                        envelopes.writeBuffer(&payload)
                        while let frame = try CQLFrameDecoder().decode(&envelopes) { handle(frame, context: context) }
                    } else {
                        guard let frame = try CQLFrameDecoder().decode(&buffer) else { break }
                        handle(frame, context: context)
                    }
                }
            } catch {
                context.close(promise: nil)
            }
        }

        func send(_ frame: CQLFrame, context: ChannelHandlerContext) {
            context.writeAndFlush(wrapOutboundOut(encoded(frame)), promise: nil)
        }

        func encoded(_ frame: CQLFrame) -> ByteBuffer {
            var out = ByteBuffer()
            CQLFrameEncoder().encode(frame, into: &out)
            guard segmented else { return out }
            var segments = ByteBuffer()
            CQLSegmentEncoder().encode(envelopes: out, into: &segments)
            return segments
        }

        func handle(_ frame: CQLFrame, context: ChannelHandlerContext) {
            let versionNumber = frame.header.version
            let version: CQLProtocolVersion = versionNumber >= 5 ? .v5 : .v4
            let stream = frame.header.stream
            var request = Request(connection: connection, version: versionNumber, stream: stream, opcode: frame.header.opcode)
            var body = frame.body
            switch frame.header.opcode {
            case .options:
                _ = peer.record(request)
                send(CQLResponseWriter.supported(stream: stream, version: version,
                                                 protocolVersions: peer.configuration.supportsV5 ? ["3/v3", "4/v4", "5/v5", "6/v6-beta"] : ["3/v3", "4/v4", "5/v5-beta"]),
                     context: context)
            case .startup:
                _ = peer.record(request)
                if version == .v5 && !peer.configuration.supportsV5 {
                    send(CQLResponseWriter.error(CQLServerError(code: .protocolError, message: "Invalid or unsupported protocol version (5); supported versions are (3/v3, 4/v4, 5/v5-beta)"),
                                                 stream: stream, version: .v4), context: context)
                    context.close(promise: nil)
                    return
                }
                send(peer.configuration.credentials == nil ? CQLResponseWriter.ready(stream: stream, version: version)
                                                             : CQLResponseWriter.authenticate(stream: stream, version: version), context: context)
                segmented = version == .v5
            case .authResponse:
                request.authToken = body.readCQLBytes() ?? nil
                _ = peer.record(request)
                let expected = peer.configuration.credentials.map { [0] + Array($0.username.utf8) + [0] + Array($0.password.utf8) }
                if request.authToken == expected {
                    send(CQLResponseWriter.authSuccess(stream: stream, version: version), context: context)
                } else {
                    send(CQLResponseWriter.error(CQLServerError(code: .authenticationError, message: "Provided username and/or password are incorrect"),
                                                 stream: stream, version: version), context: context)
                    context.close(promise: nil)
                }
            default:
                if frame.header.opcode == .query || frame.header.opcode == .prepare {
                    request.query = body.readCQLLongString()
                }
                if frame.header.opcode == .execute {
                    request.preparedID = body.readCQLShortBytes()
                    if version == .v5 { _ = body.readCQLShortBytes() }
                }
                if frame.header.opcode == .query || frame.header.opcode == .execute {
                    request.consistency = body.readCQLConsistency()
                    let flags: UInt32 = version == .v5 ? body.readInteger(as: UInt32.self) ?? 0 : UInt32(body.readInteger(as: UInt8.self) ?? 0)
                    if flags & 0x01 != 0 {
                        for _ in 0..<(body.readInteger(as: UInt16.self) ?? 0) { request.values.append(body.readCQLBytes() ?? nil) }
                    }
                    if flags & 0x04 != 0 { request.pageSize = body.readInteger(as: Int32.self) }
                    if flags & 0x08 != 0 { request.pagingState = body.readCQLBytes() ?? nil }
                }
                switch peer.record(request, scripted: true) {
                case .frame(let make):
                    peer.answered()
                    send(make(stream, version), context: context)
                case .silence: break
                case .close: context.close(promise: nil)
                case .held(let gate, let make):
                    let bytes = encoded(make(stream, version))
                    let channel = context.channel
                    let peer = self.peer
                    gate.whenOpen {
                        peer.answered()
                        channel.writeAndFlush(bytes, promise: nil)
                    }
                }
            }
        }
    }
}

/// Runs `body` with `peer`, then stops the peer and waits for it to stop, whether `body` returned
/// or threw (the error is rethrown), so no peer outlives the test that started it.
public func withPeer<T>(_ peer: ScriptedCQLPeer, isolation: isolated (any Actor)? = #isolation,
                        _ body: (ScriptedCQLPeer) async throws -> T) async throws -> T {
    let result: T
    do {
        result = try await body(peer)
    } catch {
        await peer.stop()
        throw error
    }
    await peer.stop()
    return result
}

/// Holds scripted replies until the test opens it; replies held later go out at once.
public final class ReplyGate: Sendable {
    private struct State {
        var isOpen = false
        var pending: [@Sendable () -> Void] = []
    }
    private let state = Mutex(State())

    /// Creates a closed gate.
    public init() {}

    /// Sends every held reply and lets later ones through.
    public func open() {
        let pending = state.withLock { state in
            state.isOpen = true
            defer { state.pending = [] }
            return state.pending
        }
        for send in pending { send() }
    }

    /// Replies waiting for the gate.
    public var heldCount: Int { state.withLock { $0.pending.count } }

    fileprivate func whenOpen(_ send: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state in
            if state.isOpen { return true }
            state.pending.append(send)
            return false
        }
        if runNow { send() }
    }
}

/// A thread-safe counter for scripts.
public final class Counter: Sendable {
    private let value = Mutex(0)
    /// Creates a counter at zero.
    public init() {}
    /// Adds one and returns the new count.
    public func next() -> Int { value.withLock { $0 += 1; return $0 } }
    public var current: Int { value.withLock { $0 } }
}
