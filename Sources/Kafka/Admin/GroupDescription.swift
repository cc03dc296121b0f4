/// A consumer group as ListGroups reports it.
public struct GroupListing: Sendable, Equatable, Codable {
    /// The group's name.
    public var groupID: String
    /// "consumer" for consumer groups.
    public var protocolType: String
    /// Stable, PreparingRebalance, CompletingRebalance, Empty or Dead; empty when the broker does not say.
    public var state: String
}

/// A consumer group as DescribeGroups reports it.
public struct GroupDescription: Sendable, Equatable, Codable {
    /// The group's name.
    public var groupID: String
    /// Stable, PreparingRebalance, CompletingRebalance, Empty or Dead.
    public var state: String
    /// "consumer" for consumer groups.
    public var protocolType: String
    /// The assignor the group chose ("range", "roundrobin", …).
    public var assignor: String
    /// The members, sorted by member id.
    public var members: [GroupMemberDescription]
}

/// One member of a described group and the partitions assigned to it.
public struct GroupMemberDescription: Sendable, Equatable, Codable {
    /// The id the coordinator gave the member.
    public var memberID: String
    /// The client id the member's requests carry.
    public var clientID: String
    /// Where the member connects from.
    public var clientHost: String
    /// The partitions the member holds (empty when the broker does not report them).
    public var assignment: [TopicPartition]
}

/// How far a group is behind on one partition.
public struct PartitionLag: Sendable, Equatable, Codable {
    /// The partition number.
    public var partition: Int32
    /// The offset after the partition's last record.
    public var endOffset: Int64
    /// The group's committed offset; nil when it has none.
    public var committedOffset: Int64?
    /// Records between the committed offset (or the log start when none) and the end.
    public var lag: Int64

    public init(partition: Int32, endOffset: Int64, committedOffset: Int64?, lag: Int64) {
        self.partition = partition
        self.endOffset = endOffset
        self.committedOffset = committedOffset
        self.lag = lag
    }

    /// Each partition's lag, by partition, from its end and start offsets and the group's commits.
    public static func of(ends: [Int32: Int64], starts: [Int32: Int64], committed: [Int32: Int64]) -> [PartitionLag] {
        ends.keys.sorted().map { partition in
            let end = ends[partition]!
            // With nothing committed the group will read from the log start.
            let from = committed[partition] ?? starts[partition] ?? 0
            return PartitionLag(partition: partition, endOffset: end, committedOffset: committed[partition], lag: max(0, end - from))
        }
    }
}
