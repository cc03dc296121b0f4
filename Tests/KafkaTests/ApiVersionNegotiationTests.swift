import Testing
@testable import Kafka

@Suite struct ApiVersionNegotiationTests {
    // Tansu 0.6's ranges for a few APIs (tansu-0.6-api-versions.csv).
    let tansu = ApiVersionNegotiation(brokerRanges: [0: 0...11, 1: 0...17, 3: 0...12, 18: 0...4])

    @Test("the highest version both sides support is chosen")
    func highestCommon() {
        #expect(tansu.version(apiKey: 0, clientSupports: 3...9) == 9)
        #expect(tansu.version(apiKey: 1, clientSupports: 4...12) == 12)
        #expect(tansu.version(apiKey: 3, clientSupports: 0...13) == 12)
    }

    @Test("no overlap or an unknown API gives no version")
    func noOverlap() {
        #expect(tansu.version(apiKey: 0, clientSupports: 12...13) == nil)
        #expect(tansu.version(apiKey: 99, clientSupports: 0...1) == nil)
    }

    @Test("after UNSUPPORTED_VERSION the retry uses the broker's own ApiVersions range")
    func retryVersion() {
        #expect(ApiVersionNegotiation.retryVersion(afterRejecting: 4, brokerRanges: [18: 0...2]) == 2)
        #expect(ApiVersionNegotiation.retryVersion(afterRejecting: 4, brokerRanges: [:]) == 0)
    }
}
