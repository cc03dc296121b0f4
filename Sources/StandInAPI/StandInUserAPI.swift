import Hummingbird
import Logging
import NIOCore
import RandomUserAPI

/// A randomuser.me-compatible API served locally: deterministic users per (seed, page, index) and
/// switchable faults, so the pipeline can be run and benchmarked without the internet.
public struct StandInUserAPI: Sendable {
    /// Where to listen and what faults to inject.
    public struct Configuration: Sendable {
        public var host: String
        /// 0 picks a free port.
        public var port: Int
        public var faults: FaultInjection

        /// Creates a configuration.
        public init(host: String = "127.0.0.1", port: Int = 8080, faults: FaultInjection = .none) {
            self.host = host
            self.port = port
            self.faults = faults
        }
    }

    /// The most users one request returns, as on randomuser.me.
    static let maxResults = RandomUserClient.maxResults

    public var configuration: Configuration
    public var logger: Logger
    /// What this API has served so far.
    public let statistics = StandInAPIStatistics()

    /// Creates the API; `logger` receives Hummingbird's own messages.
    public init(configuration: Configuration = Configuration(), logger: Logger = Logger(label: "userstream.stand-in-api")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// The URL of the API for a server listening on `host:port`.
    public static func url(host: String, port: Int) -> String {
        let authority = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        return "http://\(authority)/api/"
    }

    /// The routes: `GET /api` and `GET /api/`.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        let faults = configuration.faults
        let statistics = statistics
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            try await Self.respond(to: request, faults: faults, statistics: statistics)
        }
        // Hummingbird matches "/api" and "/api/" with the same route.
        router.get("/api", use: handler)
        return router
    }

    /// The Hummingbird application; `onListening` receives the URL once the socket is bound.
    public func application(
        onListening: @escaping @Sendable (String) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let host = configuration.host
        return Application(
            router: router(),
            configuration: .init(address: .hostname(host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                await onListening(Self.url(host: host, port: channel.localAddress?.port ?? 0))
            },
            logger: logger
        )
    }

    static func respond(to request: Request, faults: FaultInjection, statistics: StandInAPIStatistics) async throws -> Response {
        if faults.latency > .zero { try await Task.sleep(for: faults.latency) }
        if statistics.takeOutage(ofFirst: faults.outageRequests) { return jsonResponse(.ok, FaultInjection.outageBody) }
        var system = SystemRandomNumberGenerator()
        let decision = faults.decide(Double.random(in: 0..<1, using: &system), Double.random(in: 0..<1, using: &system))
        switch decision {
        case .serverError:
            statistics.record(decision, users: 0)
            return jsonResponse(.internalServerError, #"{"error":"injected failure: the stand-in API answers 500 to some requests"}"#)
        case .rateLimited:
            statistics.record(decision, users: 0)
            var response = jsonResponse(.tooManyRequests, #"{"error":"injected rate limit: slow down and retry later"}"#)
            response.headers[.retryAfter] = String(faults.retryAfterSeconds)
            return response
        case .truncate, .serve:
            let query = request.uri.queryParameters
            let count = min(max(query.get("results", as: Int.self) ?? 1, 1), maxResults)
            let page = max(query.get("page", as: Int.self) ?? 1, 1)
            let seed = query.get("seed").flatMap { $0.isEmpty ? nil : String($0) } ?? randomSeed(&system)
            var body = RandomUserPageWriter.page(seed: seed, page: page, count: count)
            statistics.record(decision, users: count)
            if case .truncate(let fraction) = decision {
                body.removeLast(body.count - max(1, Int(Double(body.count) * fraction)))
            }
            return Response(
                status: .ok,
                headers: [.contentType: "application/json; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: body))
            )
        }
    }

    private static func jsonResponse(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body))
        )
    }

    /// A seed like randomuser.me's when none is given (16 hex digits).
    private static func randomSeed(_ generator: inout SystemRandomNumberGenerator) -> String {
        let value = generator.next()
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
