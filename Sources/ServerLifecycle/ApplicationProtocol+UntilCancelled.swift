import Hummingbird
import ServiceLifecycle

extension ApplicationProtocol {
    /// Serves until the calling task is cancelled, then shuts the server down gracefully: it stops
    /// accepting, closes idle connections and finishes the requests in progress. Cancelling the
    /// server itself makes it more likely that a connection accepted but not yet served traps in
    /// NIO's async server channel (apple/swift-nio#3481); the graceful path narrows that window but
    /// does not close it.
    public func runUntilCancelled() async throws {
        let group = ServiceGroup(configuration: .init(services: [self], logger: logger))
        // Unstructured, so the caller's cancellation reaches the server only as the graceful shutdown below.
        let serving = Task { try await group.run() }
        try await withTaskCancellationHandler {
            try await serving.value
        } onCancel: {
            Task { await group.triggerGracefulShutdown() }
        }
    }
}
