import Foundation
import Kafka
import Testing
@testable import userstream

/// `kafka groups reset --to`: what each form means, and what is refused.
@Suite struct ResetPointTests {
    let now = Date(timeIntervalSince1970: 1_796_634_400)  // 2026-12-07T09:06:40Z

    @Test("earliest and latest are Kafka's two ends")
    func ends() throws {
        #expect(try ResetPoint.parse("earliest").offsetSpec(now: now) == .earliest)
        #expect(try ResetPoint.parse("latest").offsetSpec(now: now) == .latest)
    }

    @Test("an ISO-8601 time, with or without fractional seconds, is that millisecond")
    func isoTime() throws {
        #expect(try ResetPoint.parse("2026-12-07T09:00:00Z").offsetSpec(now: now) == .time(milliseconds: 1_796_634_000_000))
        #expect(try ResetPoint.parse("2026-12-07T10:00:00.250+01:00").offsetSpec(now: now) == .time(milliseconds: 1_796_634_000_250))
    }

    @Test("DURATION-ago counts back from now in seconds, minutes, hours or days", arguments: [
        ("90s-ago", 90_000), ("15m-ago", 900_000), ("2h-ago", 7_200_000), ("1d-ago", 86_400_000), ("0s-ago", 0),
    ] as [(String, Int64)])
    func ago(text: String, milliseconds: Int64) throws {
        #expect(try ResetPoint.parse(text).offsetSpec(now: now) == .time(milliseconds: 1_796_634_400_000 - milliseconds))
    }

    @Test("anything else is refused saying what is accepted", arguments: [
        "", "Earliest", "1h", "h-ago", "-1h-ago", "+1h-ago", "1w-ago", "1.5h-ago", "2026-12-07", "2026-12-07T09:00:00", "yesterday",
    ])
    func unrecognized(text: String) {
        #expect(throws: ResetPoint.Problem.unrecognized(text)) { try ResetPoint.parse(text) }
    }

    @Test("a time in the future and one before 1970 are refused")
    func outOfRange() throws {
        let future = try ResetPoint.parse("2026-12-07T09:06:41Z")
        #expect(throws: ResetPoint.Problem.inFuture(Date(timeIntervalSince1970: 1_796_634_401), now: now)) { try future.offsetSpec(now: now) }
        #expect(throws: ResetPoint.Problem.tooFarBack("1969-12-31T23:59:59Z")) { try ResetPoint.parse("1969-12-31T23:59:59Z") }
        #expect(throws: ResetPoint.Problem.tooFarBack("106751991167300d-ago")) { try ResetPoint.parse("106751991167300d-ago") }
        #expect(throws: ResetPoint.Problem.self) { try ResetPoint.parse("30000d-ago").offsetSpec(now: now) }
    }
}
