/// A consumer group as ListGroups reports it.
public struct GroupListing: Sendable, Equatable, Codable {
    public var groupID: String
    /// "consumer" for consumer groups.
    public var protocolType: String
    /// Stable, PreparingRebalance, CompletingRebalance, Empty or Dead; empty when the broker does not say.
    public var state: String
}

/// A consumer group as DescribeGroups reports it.
public struct GroupDescription: Sendable, Equatable, Codable {
    public var groupID: String
    public var state: String
    public var protocolType: String
    /// The assignor the group chose ("range", "roundrobin", …).
    public var assignor: String
    public var members: [GroupMemberDescription]
}

/// One member of a described group and the partitions assigned to it.
public struct GroupMemberDescription: Sendable, Equatable, Codable {
    public var memberID: String
    public var clientID: String
    public var clientHost: String
    public var assignment: [TopicPartition]
}

/// How far a group is behind on one partition.
public struct PartitionLag: Sendable, Equatable, Codable {
    public var partition: Int32
    /// The offset after the partition's last record.
    public var endOffset: Int64
    /// The group's committed offset; nil when it has none.
    public var committedOffset: Int64?
    /// Records between the committed offset (or the log start when none) and the end.
    public var lag: Int64
}
