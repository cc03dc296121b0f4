import Retry
import Testing

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 4, initialBackoff: .milliseconds(100), maxBackoff: .seconds(1))

    @Test func backoffDoublesFromTheInitialPauseUpToTheCap() {
        let pauses = (1...6).map { policy.backoff(afterAttempt: $0) }
        #expect(pauses == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)])
    }

    @Test func backoffOfAnUnlimitedPolicyStaysAtTheCapForever() {
        let unlimited = RetryPolicy(maxAttempts: .max, initialBackoff: .milliseconds(100), maxBackoff: .seconds(5))
        #expect(unlimited.backoff(afterAttempt: 1_000_000) == .seconds(5))
        #expect(unlimited.allowsRetry(afterAttempt: 1_000_000))
    }

    @Test func retriesAreAllowedUntilTheLastAttempt() {
        #expect((1...5).map { policy.allowsRetry(afterAttempt: $0) } == [true, true, true, false, false])
        #expect(!RetryPolicy(maxAttempts: 1).allowsRetry(afterAttempt: 1))
    }

    @Test func randomDelayLiesBetweenHalfAndAllOfTheBackoff() {
        for attempt in 1...6 {
            let delay = policy.randomDelay(afterAttempt: attempt)
            let backoff = policy.backoff(afterAttempt: attempt)
            #expect(delay >= backoff / 2 && delay <= backoff)
        }
    }

    @Test func randomDelayHonoursRetryAfter() {
        #expect(policy.randomDelay(afterAttempt: 3, retryAfter: .seconds(7)) == .seconds(7))
    }
}
