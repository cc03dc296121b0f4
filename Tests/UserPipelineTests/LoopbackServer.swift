import Logging
import StandInAPI

/// Runs the stand-in API on a free loopback port for the duration of `body`.
func withStandInAPI<T: Sendable>(
    faults: FaultInjection = .none, _ body: @Sendable (String) async throws -> T
) async throws -> T {
    var logger = Logger(label: "stand-in-api-test")
    logger.logLevel = .critical  // cancelling the server at the end of a test logs errors otherwise
    let api = StandInUserAPI(configuration: .init(host: "127.0.0.1", port: 0, faults: faults), logger: logger)
    let (urls, continuation) = AsyncStream.makeStream(of: String.self)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await api.run { url in continuation.yield(url) } }
        var iterator = urls.makeAsyncIterator()
        guard let url = await iterator.next() else { throw CancellationError() }
        defer { group.cancelAll() }
        return try await body(url)
    }
}
