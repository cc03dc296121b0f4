import Retry

extension RetryPolicy {
    /// Requests a broker refused for a while (a coordinator loading, a leader moving, a topic
    /// being created): ten attempts, pauses doubling from 100 ms to 1 s, jittered.
    static let brokerRequests = RetryPolicy(maxAttempts: 10, initialBackoff: .milliseconds(100), maxBackoff: .seconds(1))
}
