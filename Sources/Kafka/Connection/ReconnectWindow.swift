import Retry

/// How long a running client keeps trying brokers it cannot reach, and how long it pauses
/// between tries: doubling from 100 ms up to 2 s, for at most `window` since the first failure
/// in a row. Pure; the times come from the caller.
public struct ReconnectWindow: Sendable, Equatable {
    public let window: Duration
    private(set) var failingSince: ContinuousClock.Instant?
    private(set) var failures = 0

    public init(window: Duration) {
        self.window = window
    }

    /// A request got through: the next failure starts a new window.
    public mutating func succeeded() {
        failingSince = nil
        failures = 0
    }

    /// A try failed at `now`: the pause before the next one, or nil once the window has passed.
    public mutating func failed(at now: ContinuousClock.Instant) -> Duration? {
        let since = failingSince ?? now
        failingSince = since
        failures += 1
        guard now - since < window else { return nil }
        return Self.pauses.backoff(afterAttempt: failures)
    }

    static let pauses = RetryPolicy(maxAttempts: .max, initialBackoff: .milliseconds(100), maxBackoff: .seconds(2))

    /// How long the failures have lasted at `now`.
    public func outage(at now: ContinuousClock.Instant) -> Duration {
        failingSince.map { now - $0 } ?? .zero
    }
}

extension KafkaError {
    /// Whether the error says a broker could not be reached (rather than that it refused
    /// something): worth retrying for as long as a reconnect window lasts.
    public var isUnreachable: Bool {
        switch self {
        case .noBrokerAnswered, .connectionFailed, .connectionClosed, .requestTimedOut: true
        default: false
        }
    }
}
