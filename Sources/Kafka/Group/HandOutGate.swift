import Synchronization

/// Decides whether fetched records may reach the caller. A rebalance shuts the gate and waits
/// until the caller has come back for the next batch (so no batch is being processed), then
/// the partitions are revoked; records fetched for them before that are dropped here.
final class HandOutGate: Sendable {
    enum Wait: Sendable { case open, timedOut, ended }

    private struct State {
        var isOpen = false
        var assignment: Set<TopicPartition> = []
        var batchInHand = false
        var ended = false
        var failure: KafkaError?
        var nextWaiterID: UInt64 = 0
        var openWaiters: [UInt64: CheckedContinuation<Wait, Never>] = [:]
        /// Timeouts and cancellations that came before their waiter was registered.
        var early: [UInt64: Wait] = [:]
        var releaseWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// The partitions whose records currently pass.
    var assignment: Set<TopicPartition> { state.withLock { $0.isOpen ? $0.assignment : [] } }

    /// Lets records of `assignment` through.
    func open(assignment: Set<TopicPartition>) {
        let waiters = state.withLock { state -> [CheckedContinuation<Wait, Never>] in
            guard !state.ended else { return [] }
            state.isOpen = true
            state.assignment = assignment
            defer { state.openWaiters.removeAll() }
            return Array(state.openWaiters.values)
        }
        waiters.forEach { $0.resume(returning: .open) }
    }

    /// Stops handing out records and returns once the caller holds no batch, or after `limit`
    /// (by then the coordinator has given up on this member anyway).
    func shutAndWaitForRelease(atMost limit: Duration) async {
        // No batch in hand: return at once, without a timer.
        let released = state.withLock { state -> Bool in
            state.isOpen = false
            state.assignment = []
            return !state.batchInHand || state.ended
        }
        if released { return }
        await withDeadline(.now + limit, onExpiry: { [weak self] in self?.release() }) {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    guard state.batchInHand, !state.ended else { return true }
                    state.releaseWaiters.append(continuation)
                    return false
                }
                if ready { continuation.resume() }
            }
        }
    }

    /// The caller is done with the batch it was handed (it asked for the next, or stopped).
    func release() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.batchInHand = false
            defer { state.releaseWaiters.removeAll() }
            return state.releaseWaiters
        }
        waiters.forEach { $0.resume() }
    }

    /// The records that may be handed out now (those of assigned partitions), or nil when the
    /// gate is shut or `isCurrent` (checked under the gate's lock) says they are stale; a
    /// non-empty result counts as a batch in the caller's hands.
    func handOut(_ records: [ConsumerRecord], if isCurrent: () -> Bool) -> [ConsumerRecord]? {
        state.withLock { state in
            guard state.isOpen, !state.ended, isCurrent() else { return nil }
            let passing = records.filter { state.assignment.contains(TopicPartition(topic: $0.topic, partition: $0.partition)) }
            if !passing.isEmpty { state.batchInHand = true }
            return passing
        }
    }

    /// Waits until the gate opens, `timeout` passes, or the consumer ends.
    func waitUntilOpen(timeout: Duration?) async -> Wait {
        // Between rebalances the gate is open: answer without a waiter or a timer.
        if let now = state.withLock({ $0.ended ? Wait.ended : $0.isOpen ? Wait.open : nil }) { return now }
        let id = state.withLock { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        defer { state.withLock { _ = $0.early.removeValue(forKey: id) } }
        return await withTaskCancellationHandler {
            await withDeadline(timeout.map { .now + $0 }, onExpiry: { [weak self] in self?.resumeWaiter(id, with: .timedOut) }) {
                await withCheckedContinuation { (continuation: CheckedContinuation<Wait, Never>) in
                    let immediate = state.withLock { state -> Wait? in
                        if state.ended { return .ended }
                        if state.isOpen { return .open }
                        if let early = state.early.removeValue(forKey: id) { return early }
                        state.openWaiters[id] = continuation
                        return nil
                    }
                    if let immediate { continuation.resume(returning: immediate) }
                }
            }
        } onCancel: {
            resumeWaiter(id, with: .ended)
        }
    }

    private func resumeWaiter(_ id: UInt64, with result: Wait) {
        let waiter = state.withLock { state in
            guard let waiter = state.openWaiters.removeValue(forKey: id) else {
                state.early[id] = result
                return nil as CheckedContinuation<Wait, Never>?
            }
            return waiter
        }
        waiter?.resume(returning: result)
    }

    /// Ends every wait: the consumer closed (`failure` nil) or cannot continue.
    func end(failure: KafkaError?) {
        let (open, release) = state.withLock { state in
            state.ended = true
            state.isOpen = false
            state.failure = failure
            defer {
                state.openWaiters.removeAll()
                state.releaseWaiters.removeAll()
            }
            return (Array(state.openWaiters.values), state.releaseWaiters)
        }
        open.forEach { $0.resume(returning: .ended) }
        release.forEach { $0.resume() }
    }

    /// Whether the consumer closed or failed.
    var hasEnded: Bool { state.withLock { $0.ended } }

    /// Why the gate ended, when it ended with an error.
    var failure: KafkaError? { state.withLock { $0.failure } }
}
