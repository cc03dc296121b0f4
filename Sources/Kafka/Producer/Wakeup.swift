import Synchronization

/// Wakes the producer's sender when there is work: a signal is remembered until the next wait.
final class Wakeup: Sendable {
    private struct State {
        var pending = false
        var continuation: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// Wakes the waiter, or makes the next wait return at once.
    func signal() {
        let continuation: CheckedContinuation<Void, Never>? = state.withLock { state in
            if let c = state.continuation {
                state.continuation = nil
                return c
            }
            state.pending = true
            return nil
        }
        continuation?.resume()
    }

    /// Returns on a signal or at `deadline`, whichever comes first.
    func wait(until deadline: ContinuousClock.Instant?) async {
        // A signal that came while the sender worked needs no timer: timers cost a task and a
        // dispatch source each, and under load most waits end this way.
        let signalled = state.withLock { state in
            defer { state.pending = false }
            return state.pending
        }
        if signalled { return }
        if let deadline, deadline <= .now { return }
        await withDeadline(deadline, onExpiry: { [weak self] in self?.signal() }) {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.pending {
                        state.pending = false
                        return true
                    }
                    state.continuation = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }
}
