import Foundation
import Hummingbird
import Logging
import Metering
import NIOCore

/// The pipeline's HTTP face: `/metrics` (Prometheus text), `/healthz`, `/status.json` and `/`,
/// the status page that charts throughput and lag from `/status.json`.
public struct StatusServer: Sendable {
    /// What is wrong with the process's connections; empty when it is healthy. Each command
    /// decides what "connected" means for it.
    public typealias HealthCheck = @Sendable () async -> [String]

    public let address: HTTPAddress
    private let monitor: StatusMonitor
    private let export: PrometheusExport
    private let health: HealthCheck
    private let limits: StatusServerLimits
    private let logger: Logger

    /// A server on `address` serving `monitor`'s reports, `export`'s metrics and `health`.
    public init(address: HTTPAddress, monitor: StatusMonitor, metrics export: PrometheusExport,
                health: @escaping HealthCheck, limits: StatusServerLimits = StatusServerLimits(),
                logger: Logger = Logger(label: "status-server")) {
        self.address = address
        self.monitor = monitor
        self.export = export
        self.health = health
        self.limits = limits
        self.logger = logger
    }

    /// The routes.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: GetOnly())
        let (monitor, export, health) = (monitor, export, health)
        router.get("/metrics") { _, _ in
            Self.response(.ok, "text/plain; version=0.0.4; charset=utf-8", ByteBuffer(bytes: export.text()))
        }
        router.get("/healthz") { _, _ in
            let problems = await health()
            return problems.isEmpty
                ? Self.response(.ok, "text/plain; charset=utf-8", ByteBuffer(string: "ok\n"))
                : Self.response(.serviceUnavailable, "text/plain; charset=utf-8", ByteBuffer(string: problems.joined(separator: "\n") + "\n"))
        }
        router.get("/status.json") { _, _ in
            let body = try PipelineStatus.encoder.encode(monitor.report)
            var response = Self.response(.ok, "application/json", ByteBuffer(bytes: body))
            response.headers[.cacheControl] = "no-store"
            return response
        }
        router.get("/") { _, _ in
            Self.response(.ok, "text/html; charset=utf-8", ByteBuffer(string: StatusPage.html))
        }
        return router
    }

    /// The Hummingbird application, a `Service` that serves until its group shuts it down;
    /// `onListening` receives the page's URL once bound.
    public func application(onListening: @escaping @Sendable (String) async -> Void = { _ in }) -> some ApplicationProtocol {
        let address = address
        return Application(
            router: router(),
            server: limits.server(),
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: nil),
            onServerRunning: { channel in
                let bound = HTTPAddress(host: address.host, port: channel.localAddress?.port ?? address.port)
                await onListening("http://\(bound)/")
            },
            logger: logger)
    }

    private static func response(_ status: HTTPResponse.Status, _ contentType: String, _ body: ByteBuffer) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: body))
    }
}
