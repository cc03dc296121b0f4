/// How a `KafkaConsumer` takes part in its consumer group.
public struct ConsumerGroupSettings: Sendable {
    /// The group's name; members with the same name share the partitions.
    public var groupID: String
    /// How long the coordinator keeps a silent member. Tansu holds a new group's first JoinGroup
    /// for about half of it (1.5 s at least), so it must be at most 6 s there.
    public var sessionTimeout: Duration
    /// How long the coordinator waits for every member to rejoin during a rebalance.
    public var rebalanceTimeout: Duration
    /// How often the member tells the coordinator it is alive (well below `sessionTimeout`).
    public var heartbeatInterval: Duration
    /// The assignors offered, preferred first; every member of a group must share one.
    public var assignors: [PartitionAssignor]
    /// Where to start a partition for which the group has no committed offset: `.earliest` or `.latest`.
    public var autoOffsetReset: ConsumerStart
    /// How often the member looks at its subscribed topics' partitions: a topic created after
    /// the group formed, or grown, makes the leader rebalance the group so it gets read.
    public var topicCheckInterval: Duration

    /// When a join without an assignment counts as stalled: two sessions, long enough for a dead
    /// member's session to run out and the group to form without it.
    public var stalledJoinAfter: Duration { sessionTimeout * 2 }

    /// Settings for group `groupID`; the defaults suit a local Tansu broker and a JVM Kafka alike.
    public init(groupID: String, sessionTimeout: Duration = .seconds(6), rebalanceTimeout: Duration = .seconds(30),
                heartbeatInterval: Duration = .seconds(1), assignors: [PartitionAssignor] = [.range, .roundRobin],
                autoOffsetReset: ConsumerStart = .earliest, topicCheckInterval: Duration = .seconds(5)) {
        self.groupID = groupID
        self.sessionTimeout = sessionTimeout
        self.rebalanceTimeout = rebalanceTimeout
        self.heartbeatInterval = heartbeatInterval
        self.assignors = assignors
        self.autoOffsetReset = autoOffsetReset
        self.topicCheckInterval = topicCheckInterval
    }
}
