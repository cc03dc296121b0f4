/// Faults the stand-in API injects so that clients can be tested against a misbehaving server.
public struct FaultInjection: Sendable, Equatable {
    /// Fraction of requests answered `500 Internal Server Error`.
    public var errorRate: Double
    /// Fraction of requests answered `429 Too Many Requests` with `Retry-After`.
    public var rateLimitRate: Double
    /// Fraction of successful responses whose body is cut off mid-JSON.
    public var truncateRate: Double
    /// Delay added before every response.
    public var latency: Duration
    /// The `Retry-After` value (seconds) sent with 429 responses.
    public var retryAfterSeconds: Int
    /// Requests, the first ones, answered with randomuser.me's own outage body (status 200).
    public var outageRequests: Int

    /// No faults.
    public static let none = FaultInjection()

    /// Creates a fault configuration; rates are fractions in 0…1.
    public init(
        errorRate: Double = 0, rateLimitRate: Double = 0, truncateRate: Double = 0, latency: Duration = .zero,
        retryAfterSeconds: Int = 1, outageRequests: Int = 0
    ) {
        self.errorRate = errorRate
        self.rateLimitRate = rateLimitRate
        self.truncateRate = truncateRate
        self.latency = latency
        self.retryAfterSeconds = retryAfterSeconds
        self.outageRequests = outageRequests
    }

    /// What randomuser.me answers, with status 200, while it is offline or has server issues.
    static let outageBody = #"{"error":"Uh oh, something has gone wrong. Please tweet us @randomapi about the issue. Thank you."}"#

    /// What to do with one request.
    enum Decision: Equatable {
        case serverError
        case rateLimited
        case truncate(fraction: Double)
        case serve
    }

    /// Decides a request's fate from two uniform draws in `[0, 1)`.
    func decide(_ first: Double, _ second: Double) -> Decision {
        if first < errorRate { return .serverError }
        if first < errorRate + rateLimitRate { return .rateLimited }
        if second < truncateRate { return .truncate(fraction: 0.1 + 0.8 * (second / max(truncateRate, .ulpOfOne))) }
        return .serve
    }
}
