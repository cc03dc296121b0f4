import Retry
import Testing

@Suite struct DurationUnitsTests {
    @Test func wholeMillisecondsKeepsTheSubSecondPart() {
        #expect(Duration.milliseconds(1500).wholeMilliseconds() == 1500)
        #expect(Duration.seconds(1.5).wholeMilliseconds(as: Int32.self) == 1500)
        #expect(Duration.seconds(0).wholeMilliseconds() == 0)
    }

    @Test func wholeMillisecondsRoundsUpToTheNextMillisecond() {
        #expect(Duration.nanoseconds(1).wholeMilliseconds() == 1)
        #expect(Duration.microseconds(1_000_001).wholeMilliseconds() == 1001)
        #expect(Duration.microseconds(999).wholeMilliseconds() == 1)
        #expect(Duration.microseconds(-1500).wholeMilliseconds() == -1)
    }

    @Test func wholeMillisecondsSaturatesAtTheFieldsBounds() {
        let year = Duration.seconds(365 * 86_400)
        #expect(year.wholeMilliseconds(as: Int32.self) == .max)
        #expect((.zero - year).wholeMilliseconds(as: Int32.self) == .min)
        #expect(year.wholeMilliseconds() == 31_536_000_000)
        #expect(Duration.seconds(Int64.max).wholeMilliseconds() == .max)
    }

    @Test func fractionalSecondsKeepsTheFraction() {
        #expect(Duration.milliseconds(1500).fractionalSeconds == 1.5)
        #expect(Duration.milliseconds(-250).fractionalSeconds == -0.25)
    }
}
