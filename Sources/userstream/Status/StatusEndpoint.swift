import Foundation
import Logging
import Synchronization
import UserSinks
import Metering
import ServiceLifecycle
import StatusService

/// The status server and its monitor: a service beside a command's work (`stream`, `up`) or on
/// its own (`status --http`), shut down with the command's group.
struct StatusEndpoint: Service {
    /// Why the server could not start.
    struct StartError: Error, CustomStringConvertible {
        let address: HTTPAddress
        let reason: String
        var description: String {
            "cannot serve the status page on \(address): \(reason) — is the port in use? choose another --http ADDR:PORT (port 0 picks a free one)"
        }
    }

    let monitor: StatusMonitor
    let server: StatusServer

    /// An endpoint on `address`, healthy while the broker and the sink answered the last refresh;
    /// `metrics` must come from the factory bootstrapped with `export`.
    init(address: HTTPAddress, probe: StatusProbe, interval: Duration, export: PrometheusExport,
         metrics: PipelineMetrics) {
        let monitor = StatusMonitor(probe: probe, interval: interval, metrics: metrics)
        self.monitor = monitor
        server = StatusServer(address: address, monitor: monitor, metrics: export, health: { monitor.problems },
                              logger: .quiet("userstream.status-server"))
    }

    /// Serves and refreshes the status until the group shuts the endpoint down; fails with
    /// `StartError` when the address cannot be bound.
    func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await cancelWhenGracefulShutdown { await monitor.run() } }
            group.addTask {
                let listening = Mutex(false)
                let application = server.application { url in
                    listening.withLock { $0 = true }
                    // Unbuffered: tests and scripts read this line through a pipe.
                    FileHandle.standardError.write(Data("userstream: status page on \(url) (metrics at \(url)metrics)\n".utf8))
                }
                do {
                    try await application.run()
                } catch where !listening.withLock({ $0 }) {
                    throw StartError(address: server.address, reason: "\(error)")
                }
            }
            try await group.waitForAll()
        }
    }
}

extension SinkLocation {
    /// A probe reading this sink's rows. The last write is the SQLite files' modification time
    /// (any writer's); other sinks only know this process's own, `ownLastWrite`.
    func probe(logger: Logging.Logger, ownLastWrite: @escaping @Sendable () -> Date?) -> SinkProbe {
        let open: @Sendable () async throws -> any UserSink = { try await self.openForReading(logger: logger) }
        guard case .sqlite(let path) = self else {
            return SinkProbe(location: description, open: open, lastWrite: ownLastWrite)
        }
        return SinkProbe(location: description, open: open, lastWrite: { SinkProbe.lastModified([path, path + "-wal"]) })
    }
}
