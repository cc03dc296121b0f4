/// Called by the consumer around rebalances; the consumer awaits them before rejoining, so the
/// caller can finish in-flight work and commit before partitions move. They run one at a time,
/// off the heartbeat path; they must not wait for the consumer to stop (its stop waits for them).
public struct RebalanceListener: Sendable {
    /// The partitions are about to move; no more of their records will be handed out after this returns.
    public var revoked: @Sendable ([TopicPartition]) async -> Void
    /// The new assignment, each partition with the offset reading starts at (committed or reset).
    public var assigned: @Sendable ([TopicPartition: Int64]) async -> Void

    /// A listener; both callbacks default to doing nothing.
    public init(revoked: @escaping @Sendable ([TopicPartition]) async -> Void = { _ in },
                assigned: @escaping @Sendable ([TopicPartition: Int64]) async -> Void = { _ in }) {
        self.revoked = revoked
        self.assigned = assigned
    }
}
