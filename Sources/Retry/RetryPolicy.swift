import Foundation

/// Capped exponential backoff with jitter, honouring a server's `Retry-After`.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in total, the first included (at least 1).
    public var maxAttempts: Int
    /// Backoff before the first retry (before jitter).
    public var initialBackoff: Duration
    /// Upper bound of any computed backoff.
    public var maxBackoff: Duration
    /// Upper bound of a server-requested `Retry-After`.
    public var maxRetryAfter: Duration

    /// Creates a policy.
    public init(
        maxAttempts: Int = 8, initialBackoff: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(5),
        maxRetryAfter: Duration = .seconds(30)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.maxRetryAfter = maxRetryAfter
    }

    /// The pause after failed attempt number `attempt` (1-based). `jitter` is a uniform draw in
    /// `[0, 1)`: the pause is between half and all of the capped exponential value ("equal jitter"),
    /// so clients that failed together do not retry together. A `Retry-After` wins when present.
    public func delay(afterAttempt attempt: Int, retryAfter: Duration?, jitter: Double) -> Duration {
        if let retryAfter { return min(max(retryAfter, .zero), maxRetryAfter) }
        let capped = backoff(afterAttempt: attempt)
        return capped / 2 + (capped / 2) * min(max(jitter, 0), 1)
    }

    /// `delay` with a fresh random jitter: the pause a retry loop sleeps.
    public func randomDelay(afterAttempt attempt: Int, retryAfter: Duration? = nil) -> Duration {
        delay(afterAttempt: attempt, retryAfter: retryAfter, jitter: Double.random(in: 0..<1))
    }

    /// The capped exponential value after failed attempt `attempt`, without jitter: for pauses
    /// that must be predictable, such as those a pure state machine hands out.
    public func backoff(afterAttempt attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        return min(initialBackoff * (1 << exponent), maxBackoff)
    }

    /// Whether another attempt may follow failed attempt number `attempt` (1-based).
    public func allowsRetry(afterAttempt attempt: Int) -> Bool {
        attempt < maxAttempts
    }

    /// Parses a `Retry-After` header given in seconds (the HTTP-date form is ignored).
    public static func retryAfter(header: String?) -> Duration? {
        guard let header, let seconds = Int(header.trimmingCharacters(in: .whitespaces)), seconds >= 0 else { return nil }
        return .seconds(seconds)
    }
}
