/// Doubling delays from 100 ms up to a cap, for retrying writes that must eventually succeed.
struct Backoff: Sendable {
    private var current: Duration = .milliseconds(100)
    let max: Duration

    init(max: Duration) {
        self.max = max
    }

    mutating func next() -> Duration {
        defer { current = min(current * 2, max) }
        return current
    }
}
