import Logging
import ServiceLifecycle
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

/// Runs `server` in a group of its own while `body` runs, then shuts it down gracefully, as a
/// command's group does.
public func whileRunning<T: Sendable>(_ server: some Service, _ body: () async throws -> T) async throws -> T {
    var logger = Logger(label: "test-service-group")
    logger.logLevel = .warning
    let group = ServiceGroup(configuration: .init(services: [server], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        let result: Result<T, any Error>
        do {
            result = .success(try await body())
        } catch {
            result = .failure(error)
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return try result.get()
    }
}
