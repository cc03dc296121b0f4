import UserContract

/// Which dead letters a command looks at: by reason, and by when they were dead-lettered (the
/// dead-letter record's timestamp).
public struct DeadLetterSelection: Sendable, Equatable {
    /// Only dead letters with this `dlq.reason`; all when nil.
    public var reason: String?
    /// Only those dead-lettered at or after this time, in milliseconds since the epoch.
    public var since: Int64?
    /// Only those dead-lettered before this time, in milliseconds since the epoch.
    public var until: Int64?

    public init(reason: String? = nil, since: Int64? = nil, until: Int64? = nil) {
        self.reason = reason
        self.since = since
        self.until = until
    }

    /// The reasons the stream writes in `dlq.reason`.
    public static let knownReasons = RejectionReason.Code.allCases.map(\.rawValue)

    /// True when `entry` is one of the selected dead letters.
    public func selects(_ entry: DeadLetterEntry) -> Bool {
        if let reason, entry.reason != reason { return false }
        if let since, entry.record.timestamp < since { return false }
        if let until, entry.record.timestamp >= until { return false }
        return true
    }
}
