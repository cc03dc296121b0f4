import Hummingbird
import HummingbirdCore
import NIOCore
import Synchronization

/// What the status server accepts, so a scraper or a browser left open (or a hostile client)
/// cannot hold it: GET only, small headers, idle connections closed, a bounded number at once.
public struct StatusServerLimits: Sendable {
    /// How long a keep-alive connection may sit without a request.
    public var idleTimeout: Duration = .seconds(10)
    /// Connections served at once, well below the usual limit of 1024 open files; more are
    /// closed at their first request.
    public var maximumConnections = 512
    /// Bytes of all request headers together.
    public var maximumHeaderBytes = 16 * 1024

    public init() {}

    /// The HTTP/1 server with these limits.
    func server() -> HTTPServerBuilder {
        let count = ConnectionCount()
        let limit = maximumConnections
        return .http1(configuration: .init(
            additionalChannelHandlers: [ConnectionLimiter(count: count, limit: limit)],
            idleTimeout: TimeAmount(idleTimeout),
            httpDecoderConfiguration: .init(maxHeaderFieldSize: maximumHeaderBytes, maxHeaderListSize: maximumHeaderBytes,
                                            maxHeaderFieldCount: 100)))
    }
}

/// Answers 405 with `Allow: GET` to every other method: the server only shows things.
struct GetOnly<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get else {
            return Response(status: .methodNotAllowed, headers: [.allow: "GET"])
        }
        return try await next(request, context)
    }
}

/// The connections open right now, across the server's channels.
final class ConnectionCount: Sendable {
    private let open = Mutex(0)

    /// Counts one more; `false` (and not counted) when `limit` are open already.
    func admit(limit: Int) -> Bool {
        open.withLock { open in
            guard open < limit else { return false }
            open += 1
            return true
        }
    }

    func release() {
        open.withLock { $0 -= 1 }
    }
}

/// Closes a connection beyond the limit instead of serving it.
final class ConnectionLimiter: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = NIOAny
    private let count: ConnectionCount
    private let limit: Int
    private let admitted = Mutex(false)

    init(count: ConnectionCount, limit: Int) {
        self.count = count
        self.limit = limit
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let admitted = count.admit(limit: limit)
        self.admitted.withLock { $0 = admitted }
    }

    /// A connection over the limit is closed at its first request: closing it while the server
    /// still sets it up would break the server's own bookkeeping. Until then the idle timeout
    /// bounds how long it stays.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard admitted.withLock({ $0 }) else {
            context.close(promise: nil)
            return
        }
        context.fireChannelRead(data)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        let wasAdmitted = admitted.withLock { admitted in
            defer { admitted = false }
            return admitted
        }
        if wasAdmitted { count.release() }
    }
}
