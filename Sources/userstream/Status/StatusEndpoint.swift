import Foundation
import Logging
import UserSinks
import Metering
import StatusService

/// The status server and its monitor, run beside a command's work (`stream`, `up`) or on their
/// own (`status --http`).
struct StatusEndpoint: Sendable {
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
        server = StatusServer(address: address, monitor: monitor, metrics: export, health: { monitor.problems })
    }

    /// Starts serving, runs `work`, then stops serving; fails early when the address cannot be bound.
    func serving<T: Sendable>(_ work: () async throws -> T) async throws -> T {
        let (listening, announce) = AsyncStream.makeStream(of: Result<String, any Error>.self)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await server.run { url in announce.yield(.success(url)) }
                } catch {
                    announce.yield(.failure(error))
                }
                announce.finish()
            }
            group.addTask { await monitor.run() }
            var outcomes = listening.makeAsyncIterator()
            switch await outcomes.next() {
            case .success(let url):
                // Unbuffered: tests and scripts read this line through a pipe.
                FileHandle.standardError.write(Data("userstream: status page on \(url) (metrics at \(url)metrics)\n".utf8))
            case .failure(let error):
                group.cancelAll()
                throw StartError(address: server.address, reason: "\(error)")
            case nil:
                group.cancelAll()
                throw StartError(address: server.address, reason: "the server stopped before it listened")
            }
            defer { group.cancelAll() }
            return try await work()
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
