import Synchronization
import Testing
@testable import UserContract
@testable import Retry
@testable import RandomUserAPI
@testable import StandInAPI
import UserTestSupport

@Suite struct RandomUserClientTests {
    let fastRetry = RetryPolicy(maxAttempts: 40, initialBackoff: .milliseconds(1), maxBackoff: .milliseconds(20))

    @Test func fetchesFormattedUsers() async throws {
        try await withStandInAPI { url in
            let client = RandomUserClient(configuration: .init(url: url))
            let batch = try await client.fetch(count: 250, seed: "client", page: 3)
            #expect(batch.users.count == 250)
            #expect(batch.invalidResults == 0)
            #expect(batch.retries == 0)
            #expect(batch.info?.seed == "client" && batch.info?.page == 3)
            #expect(Set(batch.users.map(\.id)).count == 250)
            let validator = UserValidator()
            for user in batch.users { #expect(try validator.validate(user.jsonBytes()).get() == user) }
            let again = try await client.fetch(count: 250, seed: "client", page: 3)
            #expect(again.users == batch.users)
        }
    }

    @Test func absorbsErrorsRateLimitsAndTruncation() async throws {
        let faults = FaultInjection(errorRate: 0.3, rateLimitRate: 0.1, truncateRate: 0.2, retryAfterSeconds: 0)
        try await withStandInAPI(faults: faults) { url in
            let events = Mutex<[RandomUserClient.RetryCause]>([])
            let client = RandomUserClient(configuration: .init(url: url, retry: fastRetry)) { event in
                events.withLock { $0.append(event.cause) }
            }
            var total = 0
            var retries = 0
            for page in 1...30 {
                let batch = try await client.fetch(count: 100, seed: "faulty", page: page)
                #expect(batch.users.count == 100)
                total += batch.users.count
                retries += batch.retries
            }
            #expect(total == 3000)
            let causes = events.withLock { $0 }
            #expect(causes.count == retries)
            #expect(retries > 0)
            #expect(causes.contains(.serverError(status: 500)))
        }
    }

    @Test func givesUpWithAnErrorNamingTheURL() async throws {
        try await withStandInAPI(faults: FaultInjection(errorRate: 1)) { url in
            let client = RandomUserClient(configuration: .init(url: url, retry: RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(1))))
            do {
                _ = try await client.fetch(count: 1)
                Issue.record("expected the fetch to fail")
            } catch let error as RandomUserClient.FetchError {
                guard case .gaveUp(let failedURL, let attempts, let cause) = error else { throw error }
                #expect(failedURL.hasPrefix(url))
                #expect(attempts == 3)
                #expect(cause == .serverError(status: 500))
                #expect(error.description.contains(url))
            }
        }
    }

    @Test func connectionRefusedIsRetriedThenReported() async throws {
        // Port 9 (discard) is not served on loopback here.
        let client = RandomUserClient(configuration: .init(url: "http://127.0.0.1:9/api/", retry: RetryPolicy(maxAttempts: 2, initialBackoff: .milliseconds(1))))
        await #expect(throws: RandomUserClient.FetchError.self) { _ = try await client.fetch(count: 1) }
    }

    @Test func rejectsImpossibleCounts() async {
        let client = RandomUserClient(configuration: .init(url: "http://127.0.0.1:9/api/"))
        await #expect(throws: RandomUserClient.FetchError.self) { _ = try await client.fetch(count: 5001) }
        await #expect(throws: RandomUserClient.FetchError.self) { _ = try await client.fetch(count: 0) }
    }

    @Test func backoffIsCappedExponentialWithJitterAndHonoursRetryAfter() {
        let policy = RetryPolicy(maxAttempts: 10, initialBackoff: .milliseconds(100), maxBackoff: .seconds(2), maxRetryAfter: .seconds(30))
        #expect(policy.delay(afterAttempt: 1, retryAfter: nil, jitter: 0) == .milliseconds(50))
        #expect(policy.delay(afterAttempt: 1, retryAfter: nil, jitter: 1) == .milliseconds(100))
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, jitter: 1) == .milliseconds(400))
        #expect(policy.delay(afterAttempt: 9, retryAfter: nil, jitter: 1) == .seconds(2))
        #expect(policy.delay(afterAttempt: 9, retryAfter: nil, jitter: 0) == .seconds(1))
        #expect(policy.delay(afterAttempt: 2, retryAfter: .seconds(7), jitter: 0.5) == .seconds(7))
        #expect(policy.delay(afterAttempt: 2, retryAfter: .seconds(120), jitter: 0.5) == .seconds(30))
        #expect(RetryPolicy.retryAfter(header: " 5") == .seconds(5))
        #expect(RetryPolicy.retryAfter(header: "Wed, 21 Oct 2015 07:28:00 GMT") == nil)
    }
}
