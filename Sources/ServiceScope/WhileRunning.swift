import Logging
import ServiceLifecycle

/// Runs `service` in a service group of its own while `body` runs, then shuts it down gracefully
/// and waits for it. The caller's own group never shuts it down: work that `body` still
/// finishes after its group asked it to stop (the batch in progress, the users already
/// fetched) can use the service until `body` returns. Cancelling the caller cancels it.
/// Throws the service's failure, else `body`'s.
public func whileRunning<T: Sendable>(_ service: some Service, _ body: () async throws -> T) async throws -> T {
    var logger = Logger(label: "userstream.service-scope")
    logger.logLevel = .warning  // the group reports each start and stop at debug level
    let group = ServiceGroup(configuration: .init(services: [service], logger: logger))
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
