import Testing
@testable import Kafka

@Suite struct MissingTopicWarningsTests {
    let t0 = ContinuousClock.now

    @Test func aMissingTopicIsNamedAtOnceThenEveryIntervalWhileItStaysMissing() {
        var warnings = MissingTopicWarnings(interval: .seconds(30))
        #expect(warnings.due(missing: ["users"], now: t0) == ["users"])
        #expect(warnings.due(missing: ["users"], now: t0 + .seconds(5)).isEmpty)
        #expect(warnings.due(missing: ["users"], now: t0 + .seconds(30)) == ["users"])
    }

    @Test func aTopicThatAppearedAndWentAgainIsNamedAgainAtOnce() {
        var warnings = MissingTopicWarnings(interval: .seconds(30))
        _ = warnings.due(missing: ["users"], now: t0)
        #expect(warnings.due(missing: [], now: t0 + .seconds(1)).isEmpty)
        #expect(warnings.due(missing: ["users"], now: t0 + .seconds(2)) == ["users"])
    }
}
