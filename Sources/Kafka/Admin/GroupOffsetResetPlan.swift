/// Where a consumer group's offsets on one topic move, per partition, and what that costs. Pure:
/// the counts follow from the offsets alone.
public struct GroupOffsetResetPlan: Sendable, Equatable, Codable {
    public var group: String
    public var topic: String
    /// One move per partition, by partition.
    public var moves: [Move]

    /// One partition's move.
    public struct Move: Sendable, Equatable, Codable {
        public var partition: Int32
        /// The group's committed offset; nil when it has none.
        public var committed: Int64?
        /// The offset the group will read next.
        public var newOffset: Int64
        /// The log's first offset and the offset after its last record.
        public var logStart: Int64
        public var logEnd: Int64

        public init(partition: Int32, committed: Int64?, newOffset: Int64, logStart: Int64, logEnd: Int64) {
            self.partition = partition
            self.committed = committed
            self.newOffset = newOffset
            self.logStart = logStart
            self.logEnd = logEnd
        }

        /// Where the group would read from now: its commit inside the log, else the log start
        /// (nothing committed, or records deleted before they were read).
        public var position: Int64 { min(max(committed ?? logStart, logStart), logEnd) }
        /// Records between the new offset and the current position that are processed again.
        public var reprocessed: Int64 { max(0, position - newOffset) }
        /// Records between the current position and the new offset that are never processed.
        public var skipped: Int64 { max(0, newOffset - position) }
    }

    public init(group: String, topic: String, moves: [Move]) {
        self.group = group
        self.topic = topic
        self.moves = moves
    }

    /// The plan from each partition's log bounds, the group's commits and the target offsets.
    public static func plan(group: String, topic: String, starts: [Int32: Int64], ends: [Int32: Int64],
                            committed: [Int32: Int64], targets: [Int32: Int64]) -> GroupOffsetResetPlan {
        let moves = targets.keys.sorted().map { partition in
            let start = starts[partition] ?? 0
            let end = max(ends[partition] ?? start, start)
            return Move(partition: partition, committed: committed[partition],
                        newOffset: min(max(targets[partition]!, start), end), logStart: start, logEnd: end)
        }
        return GroupOffsetResetPlan(group: group, topic: topic, moves: moves)
    }

    /// Records processed again over every partition.
    public var reprocessed: Int64 { moves.reduce(0) { $0 + $1.reprocessed } }
    /// Records skipped over every partition.
    public var skipped: Int64 { moves.reduce(0) { $0 + $1.skipped } }
    /// The new offsets, as committed.
    public var newOffsets: [TopicPartition: Int64] {
        Dictionary(uniqueKeysWithValues: moves.map { (TopicPartition(topic: topic, partition: $0.partition), $0.newOffset) })
    }
}

/// Why a group's offsets were not moved.
public enum GroupOffsetResetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The group has no members and has committed no offset: nothing by that name exists.
    case groupNotFound(String)
    /// Members are in the group: they would overwrite the new offsets with their own commits.
    case groupHasMembers(group: String, members: [GroupMemberDescription])
    /// The coordinator refused the commit for these partitions (error names by partition).
    case commitRefused(group: String, errors: [TopicPartition: String])

    public var description: String {
        switch self {
        case .groupNotFound(let group):
            "consumer group '\(group)' does not exist: it has no members and no committed offsets"
        case .groupHasMembers(let group, let members):
            "consumer group '\(group)' has \(members.count) live member\(members.count == 1 ? "" : "s"): "
                + members.map(\.identification).joined(separator: ", ")
        case .commitRefused(let group, let errors):
            "the coordinator of consumer group '\(group)' refused the new offsets: "
                + errors.sorted { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }
                    .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
    }
}

extension GroupMemberDescription {
    /// The member id, with the client id and host when the broker reports them (Tansu does not).
    var identification: String {
        let details = [("client", clientID), ("host", clientHost)].filter { !$0.1.isEmpty }.map { "\($0.0) \($0.1)" }
        return details.isEmpty ? memberID : "\(memberID) (\(details.joined(separator: ", ")))"
    }
}
