import KafkaProtocol

/// What happens to a group member: the caller's requests, the coordinator's answers, timers.
enum GroupMembershipEvent: Sendable {
    case subscribe(topics: [String])
    case coordinatorFound(nodeID: Int32)
    case coordinatorLookupFailed(KafkaError, now: ContinuousClock.Instant = .now)
    case joinGroupResponse(JoinGroupResponse)
    /// The partition counts the leader asked for (topics that do not exist are missing).
    case partitionCounts([String: Int32])
    case syncGroupResponse(SyncGroupResponse, now: ContinuousClock.Instant)
    case heartbeatTick(now: ContinuousClock.Instant)
    case heartbeatResponse(errorCode: Int16, generation: Int32, now: ContinuousClock.Instant)
    /// The caller's `revoked` callback returned and the partitions are no longer fetched.
    case revokeFinished
    /// Starting positions for a new assignment could not be found.
    case assignmentFailed(KafkaError)
    /// A request to the coordinator got no answer (connection lost, timeout).
    case requestFailed(ApiKey, KafkaError)
    /// An OffsetCommit was refused with this error code.
    case commitRejected(errorCode: Int16)
    case close
    case leaveFinished
    /// Time to look at the subscribed topics' partitions again.
    case topicCheckTick
    /// Partition counts of the subscribed topics (missing ones absent); nil when the check failed.
    case topicsChecked([String: Int32]?)
}

/// What the member must do next; the I/O around the state machine carries it out and
/// reports the outcome as a new event.
enum GroupMembershipAction: Sendable {
    case none
    case findCoordinator(after: Duration)
    case sendJoinGroup(JoinGroupRequest)
    /// Only the leader asks: it needs the partition counts to run the assignor.
    case fetchPartitionCounts(topics: [String])
    case sendSyncGroup(SyncGroupRequest)
    case sendHeartbeat(HeartbeatRequest)
    /// Stop handing out the partitions' records, call `revoked`, then report `revokeFinished`.
    case revoke([TopicPartition])
    /// Look up starting offsets, call `assigned`, start fetching.
    case assign([TopicPartition])
    case sendLeaveGroup(memberID: String)
    /// Look up the partition counts of these topics and report `topicsChecked`.
    case checkTopics([String])
    /// The member has waited long for an assignment: describe the group and warn.
    case reportStalledJoin(StalledJoin)
    case closed
    case fail(KafkaError)
}

/// A join that has not led to an assignment yet.
struct StalledJoin: Sendable, Equatable {
    /// How long the member has been waiting for an assignment.
    var waited: Duration
    /// JoinGroup requests sent meanwhile.
    var joinRounds: Int
    /// The leader the last JoinGroup answer named (empty before one came).
    var leader: String
    var memberID: String
}
