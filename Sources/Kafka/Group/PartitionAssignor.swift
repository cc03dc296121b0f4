/// How the group leader spreads the subscribed topics' partitions over the members; the
/// names are those every Kafka client uses, so members of other clients can share a group.
public enum PartitionAssignor: String, Sendable, CaseIterable {
    /// Per topic, consecutive partition ranges; the first members get one extra when the count does not divide.
    case range
    /// All partitions, sorted by topic and partition, dealt out one by one to the members subscribed to them.
    case roundRobin = "roundrobin"

    /// The protocol name sent in JoinGroup.
    public var protocolName: String { rawValue }

    /// The assignor whose protocol name is `name`, when this client implements it.
    public init?(protocolName name: String) {
        self.init(rawValue: name)
    }

    /// Each member's partitions, given the members' subscriptions and the partition count of
    /// every existing topic. Topics missing from `partitionCounts` are skipped.
    public func assign(_ members: [AssignorMember], partitionCounts: [String: Int32]) -> [String: [TopicPartition]] {
        switch self {
        case .range: RangeAssignment.assign(members, partitionCounts: partitionCounts)
        case .roundRobin: RoundRobinAssignment.assign(members, partitionCounts: partitionCounts)
        }
    }
}

/// A group member as an assignor sees it.
public struct AssignorMember: Sendable, Equatable {
    /// The id the coordinator gave the member.
    public var memberID: String
    /// Static membership id, when the member has one; it orders members before `memberID` does.
    public var groupInstanceID: String?
    /// The topics the member subscribes to.
    public var topics: [String]

    /// A member subscribed to `topics`.
    public init(memberID: String, groupInstanceID: String? = nil, topics: [String]) {
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
        self.topics = topics
    }

    /// The order every Kafka client's assignors give members: those with a static id first
    /// (by that id), then by member id; strings compare by UTF-16 code units.
    static func precedes(_ a: AssignorMember, _ b: AssignorMember) -> Bool {
        switch (a.groupInstanceID, b.groupInstanceID) {
        case let (x?, y?): return x.utf16.lexicographicallyPrecedes(y.utf16)
        case (.some, nil): return true
        case (nil, .some): return false
        case (nil, nil): return a.memberID.utf16.lexicographicallyPrecedes(b.memberID.utf16)
        }
    }
}
