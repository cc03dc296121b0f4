/// Picks the version of each API to use: the highest both this client and the broker support.
public struct ApiVersionNegotiation: Sendable, Equatable {
    /// The broker's advertised range per API key.
    public private(set) var brokerRanges: [Int16: ClosedRange<Int16>]

    /// Negotiation from the broker's ApiVersions answer.
    public init(brokerRanges: [Int16: ClosedRange<Int16>]) {
        self.brokerRanges = brokerRanges
    }

    /// The highest common version for `apiKey`, or nil when the ranges do not overlap.
    public func version(apiKey: Int16, clientSupports: ClosedRange<Int16>) -> Int16? {
        guard let broker = brokerRanges[apiKey] else { return nil }
        let high = min(broker.upperBound, clientSupports.upperBound)
        let low = max(broker.lowerBound, clientSupports.lowerBound)
        return high >= low ? high : nil
    }

    /// The ApiVersions version to retry with after the broker answered UNSUPPORTED_VERSION
    /// to `attempted`: the broker's highest for ApiVersions itself, else 0.
    public static func retryVersion(afterRejecting attempted: Int16, brokerRanges: [Int16: ClosedRange<Int16>], apiVersionsKey: Int16 = 18) -> Int16 {
        guard let range = brokerRanges[apiVersionsKey] else { return 0 }
        return min(range.upperBound, attempted - 1) >= range.lowerBound ? min(range.upperBound, attempted - 1) : 0
    }
}
