import Synchronization

/// Counters of what the stand-in API served, for its exit summary and for tests.
public final class StandInAPIStatistics: Sendable {
    private let requests = Atomic<Int>(0)
    private let users = Atomic<Int>(0)
    private let serverErrors = Atomic<Int>(0)
    private let rateLimited = Atomic<Int>(0)
    private let truncated = Atomic<Int>(0)
    private let outages = Atomic<Int>(0)

    /// Creates zeroed counters.
    public init() {}

    /// A consistent-enough copy of the counters.
    public struct Snapshot: Sendable, Equatable {
        public var requests: Int
        public var users: Int
        public var serverErrors: Int
        public var rateLimited: Int
        public var truncated: Int
        public var outages: Int
    }

    /// The counters now.
    public var snapshot: Snapshot {
        Snapshot(
            requests: requests.load(ordering: .relaxed), users: users.load(ordering: .relaxed),
            serverErrors: serverErrors.load(ordering: .relaxed), rateLimited: rateLimited.load(ordering: .relaxed),
            truncated: truncated.load(ordering: .relaxed), outages: outages.load(ordering: .relaxed))
    }

    /// Whether this request is one of the first `count`, to be answered with the outage body
    /// (counted as such when it is).
    func takeOutage(ofFirst count: Int) -> Bool {
        var answered = outages.load(ordering: .relaxed)
        while answered < count {
            let (exchanged, original) = outages.compareExchange(expected: answered, desired: answered + 1, ordering: .relaxed)
            if exchanged {
                requests.add(1, ordering: .relaxed)
                return true
            }
            answered = original
        }
        return false
    }

    func record(_ decision: FaultInjection.Decision, users count: Int) {
        requests.add(1, ordering: .relaxed)
        switch decision {
        case .serverError: serverErrors.add(1, ordering: .relaxed)
        case .rateLimited: rateLimited.add(1, ordering: .relaxed)
        case .truncate: truncated.add(1, ordering: .relaxed)
        case .serve: users.add(count, ordering: .relaxed)
        }
    }
}

extension StandInAPIStatistics.Snapshot: CustomStringConvertible {
    public var description: String {
        "served \(requests) requests (\(users) users); injected \(serverErrors) errors, \(rateLimited) rate limits, \(truncated) truncated bodies, \(outages) outage answers"
    }
}
