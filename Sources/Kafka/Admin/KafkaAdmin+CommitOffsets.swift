extension KafkaAdmin {
    /// Commits `offsets` (the next offset to read, per partition) for `group` without joining it,
    /// as a tool that keeps its progress in a group does: the coordinator accepts such a commit
    /// only while the group has no members.
    public func commitOffsets(_ offsets: [TopicPartition: Int64], group: String) async throws {
        guard !offsets.isEmpty else { return }
        let refused = try await GroupOffsets.commit(offsets, group: group, generation: -1, memberID: "", on: coordinatorConnection(group))
        if let (partition, code) = refused.min(by: { $0.key.partition < $1.key.partition }) {
            try KafkaError.check(code, context: "committing offset \(offsets[partition] ?? -1) of \(partition) for consumer group '\(group)'")
        }
    }
}
