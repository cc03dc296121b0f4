import Synchronization

/// Hands out how many users each API request may ask for, so that concurrent fetchers stop on
/// time (`.after`) or publish exactly the requested number of users between them (`.count`).
final class UserQuota: Sendable {
    private struct State {
        var remaining: Int?
        let deadline: ContinuousClock.Instant?
    }

    private let state: Mutex<State>

    init(stop: IngestSettings.Stop, now: ContinuousClock.Instant = .now) {
        switch stop {
        case .after(let duration): state = Mutex(State(remaining: nil, deadline: now + duration))
        case .count(let count): state = Mutex(State(remaining: count, deadline: nil))
        }
    }

    /// Up to `batchSize` users to fetch now, or `nil` when the run is over.
    func reserve(_ batchSize: Int, now: ContinuousClock.Instant = .now) -> Int? {
        state.withLock { state in
            if let deadline = state.deadline, now >= deadline { return nil }
            guard let remaining = state.remaining else { return batchSize }
            let granted = min(batchSize, remaining)
            guard granted > 0 else { return nil }
            state.remaining = remaining - granted
            return granted
        }
    }

    /// Gives back a reservation's unused part (users the API did not deliver).
    func release(_ count: Int) {
        guard count > 0 else { return }
        state.withLock { state in
            if let remaining = state.remaining { state.remaining = remaining + count }
        }
    }
}
