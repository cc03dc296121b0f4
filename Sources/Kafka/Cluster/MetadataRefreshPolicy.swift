/// Decides when cached metadata must be refetched: on errors that mean "the cluster moved"
/// (leader changed, topic being created, broker gone) and when it grows old.
public struct MetadataRefreshPolicy: Sendable {
    /// Error codes after which the metadata is stale (error-codes.csv).
    static let staleMetadataCodes: Set<Int16> = [
        3,   // UNKNOWN_TOPIC_OR_PARTITION (e.g. while the topic is being created)
        5,   // LEADER_NOT_AVAILABLE
        6,   // NOT_LEADER_OR_FOLLOWER
        7,   // REQUEST_TIMED_OUT
        8,   // BROKER_NOT_AVAILABLE
        9,   // REPLICA_NOT_AVAILABLE
        13,  // NETWORK_EXCEPTION
        14,  // COORDINATOR_LOAD_IN_PROGRESS
        15,  // COORDINATOR_NOT_AVAILABLE
        16,  // NOT_COORDINATOR
        19,  // NOT_ENOUGH_REPLICAS
        20,  // NOT_ENOUGH_REPLICAS_AFTER_APPEND
        74,  // FENCED_LEADER_EPOCH
        75,  // UNKNOWN_LEADER_EPOCH
        100, // UNKNOWN_TOPIC_ID
        78,  // OFFSET_NOT_AVAILABLE
        103, // INCONSISTENT_TOPIC_ID
    ]

    /// Error codes that a retry (after a metadata refresh and backoff) can get past.
    static let retriableCodes: Set<Int16> = [
        3, 5, 6, 7, 9, 13, 14, 15, 16, 19, 20, 56, 74, 75, 78, 100, 103,
    ]

    public var maxAge: Duration

    public init(maxAge: Duration) {
        self.maxAge = maxAge
    }

    /// Whether an answer with `errorCode` means the metadata must be refreshed before retrying.
    public static func invalidatesMetadata(_ errorCode: Int16) -> Bool {
        staleMetadataCodes.contains(errorCode)
    }

    /// Whether `errorCode` is worth retrying.
    public static func isRetriable(_ errorCode: Int16) -> Bool {
        retriableCodes.contains(errorCode)
    }

    /// Whether metadata fetched at `fetchedAt` should be refreshed at `now`.
    public func isExpired(fetchedAt: ContinuousClock.Instant, now: ContinuousClock.Instant) -> Bool {
        now - fetchedAt >= maxAge
    }
}
