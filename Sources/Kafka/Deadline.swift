/// Runs `body`; if it is still running at `deadline`, calls `expire` (which should make `body`
/// return). The timer is a child task, cancelled once `body` returns, so nothing outlives the
/// call. No deadline: `body` alone.
func withDeadline<Result: Sendable>(_ deadline: ContinuousClock.Instant?, onExpiry expire: @escaping @Sendable () -> Void,
                                    _ body: () async -> Result) async -> Result {
    guard let deadline else { return await body() }
    return await withTaskGroup(of: Void.self) { timer in
        timer.addTask {
            // A cancelled sleep throws: the body returned first, or the caller was cancelled.
            if (try? await Task.sleep(until: deadline, clock: .continuous)) != nil { expire() }
        }
        let result = await body()
        timer.cancelAll()
        return result
    }
}
