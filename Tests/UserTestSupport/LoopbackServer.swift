import Logging
import ServiceScope
import StandInAPI

/// Runs the stand-in API on a free loopback port for the duration of `body`.
public func withStandInAPI<T: Sendable>(
    faults: FaultInjection = .none, _ body: @Sendable (String) async throws -> T
) async throws -> T {
    var logger = Logger(label: "stand-in-api-test")
    logger.logLevel = .warning
    let api = StandInUserAPI(configuration: .init(host: "127.0.0.1", port: 0, faults: faults), logger: logger)
    let (urls, continuation) = AsyncStream.makeStream(of: String.self)
    return try await whileRunning(api.application { url in continuation.yield(url) }) {
        var iterator = urls.makeAsyncIterator()
        guard let url = await iterator.next() else { throw CancellationError() }
        return try await body(url)
    }
}
