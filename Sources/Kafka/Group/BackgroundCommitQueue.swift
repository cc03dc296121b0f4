import Synchronization

/// Fire-and-forget commits, sent one at a time in the order asked by `run`: offsets asked for
/// while a commit is in flight are merged (highest per partition) into the next one.
final class BackgroundCommitQueue: Sendable {
    private struct State {
        var pending: [TopicPartition: Int64] = [:]
        var isRunning = false
        var drainWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    init() {
        (wakeups, wake) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues `offsets` for `run` to commit.
    func enqueue(_ offsets: [TopicPartition: Int64]) {
        let start = state.withLock { state -> Bool in
            state.pending.merge(offsets) { Swift.max($0, $1) }
            guard !state.isRunning else { return false }
            state.isRunning = true
            return true
        }
        if start { wake.yield() }
    }

    /// Runs `commit` for each merged set of queued offsets until cancelled.
    func run(_ commit: @Sendable ([TopicPartition: Int64]) async -> Void) async {
        for await _ in wakeups {
            while let next = next() { await commit(next) }
        }
    }

    /// Returns once nothing is queued or in flight (`run` must be running to get there).
    func drained() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state in
                if state.isRunning { state.drainWaiters.append(continuation) }
                return !state.isRunning
            }
            if idle { continuation.resume() }
        }
    }

    /// The merged offsets to commit next, or nil (and the queue waits) when there are none.
    private func next() -> [TopicPartition: Int64]? {
        let (next, waiters) = state.withLock { state -> ([TopicPartition: Int64]?, [CheckedContinuation<Void, Never>]) in
            guard !state.pending.isEmpty else {
                state.isRunning = false
                defer { state.drainWaiters.removeAll() }
                return (nil, state.drainWaiters)
            }
            defer { state.pending.removeAll() }
            return (state.pending, [])
        }
        waiters.forEach { $0.resume() }
        return next
    }
}
