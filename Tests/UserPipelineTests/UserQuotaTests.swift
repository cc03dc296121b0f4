import Testing
@testable import UserPipeline

@Suite struct UserQuotaTests {
    @Test func countQuotaHandsOutExactlyTheCountBetweenFetchers() {
        let quota = UserQuota(stop: .count(1200))
        #expect(quota.reserve(500) == 500)
        #expect(quota.reserve(500) == 500)
        #expect(quota.reserve(500) == 200)
        #expect(quota.reserve(500) == nil)
    }

    @Test func usersTheAPIDidNotDeliverAreAskedForAgain() {
        let quota = UserQuota(stop: .count(100))
        #expect(quota.reserve(100) == 100)
        quota.release(30)  // 30 results could not be formatted, or the request failed
        #expect(quota.reserve(100) == 30)
        #expect(quota.reserve(100) == nil)
    }

    @Test func durationQuotaEndsAtTheDeadline() {
        let start = ContinuousClock.now
        let quota = UserQuota(stop: .after(.seconds(60)), now: start)
        #expect(quota.reserve(500, now: start) == 500)
        #expect(quota.reserve(500, now: start + .seconds(59)) == 500)
        #expect(quota.reserve(500, now: start + .seconds(60)) == nil)
        quota.release(500)  // no count to give back to
        #expect(quota.reserve(500, now: start + .seconds(61)) == nil)
    }
}
