import KafkaProtocol

/// Decides when cached metadata must be refetched: on errors that mean "the cluster moved"
/// (leader changed, topic being created, broker gone) and when it grows old.
public struct MetadataRefreshPolicy: Sendable {
    /// Error codes after which the metadata is stale (error-codes.csv).
    static let staleMetadataCodes: Set<Int16> = Set([
        KafkaErrorCode.unknownTopicOrPartition,  // e.g. while the topic is being created
        .leaderNotAvailable,
        .notLeaderOrFollower,
        .requestTimedOut,
        .brokerNotAvailable,
        .replicaNotAvailable,
        .networkException,
        .coordinatorLoadInProgress,
        .coordinatorNotAvailable,
        .notCoordinator,
        .notEnoughReplicas,
        .notEnoughReplicasAfterAppend,
        .fencedLeaderEpoch,
        .unknownLeaderEpoch,
        .unknownTopicId,
        .offsetNotAvailable,
        .inconsistentTopicId,
    ].map(\.rawValue))

    /// Error codes that a retry (after a metadata refresh and backoff) can get past.
    static let retriableCodes: Set<Int16> = Set([
        KafkaErrorCode.unknownTopicOrPartition, .leaderNotAvailable, .notLeaderOrFollower, .requestTimedOut,
        .replicaNotAvailable, .networkException, .coordinatorLoadInProgress, .coordinatorNotAvailable, .notCoordinator,
        .notEnoughReplicas, .notEnoughReplicasAfterAppend, .kafkaStorageError, .fencedLeaderEpoch, .unknownLeaderEpoch,
        .offsetNotAvailable, .unknownTopicId, .inconsistentTopicId,
    ].map(\.rawValue))

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
