import CQL
import Logging
import Retry

/// Runs an idempotent Cassandra request again, with capped exponential backoff, while it fails
/// with an error another attempt may cure (timeouts, unavailable or overloaded nodes, lost
/// connections). Any other error, the last attempt's, or cancellation ends it with a `Failure`.
struct CassandraRetry: Sendable {
    let policy: RetryPolicy
    let logger: Logger

    /// The error that ended the attempts, and how many were made.
    struct Failure: Error {
        var error: CQLError
        var attempts: Int
    }

    func run<Result: Sendable>(_ what: @autoclosure () -> String,
                               _ operation: () async throws(CQLError) -> Result) async throws(Failure) -> Result {
        var attempt = 1
        while true {
            do {
                return try await operation()
            } catch let error {
                guard error.isRetryable, attempt < policy.maxAttempts, !Task.isCancelled else {
                    throw Failure(error: error, attempts: attempt)
                }
                let delay = policy.delay(afterAttempt: attempt, retryAfter: nil, jitter: Double.random(in: 0..<1))
                logger.warning("Cassandra request failed; retrying", metadata: [
                    "request": "\(what())", "attempt": "\(attempt)", "delay": "\(delay)", "error": "\(error)",
                ])
                do { try await Task.sleep(for: delay) } catch is CancellationError { throw Failure(error: error, attempts: attempt) } catch {}
                attempt += 1
            }
        }
    }
}
