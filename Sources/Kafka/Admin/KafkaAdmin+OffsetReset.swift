import KafkaProtocol

extension KafkaAdmin {
    /// Where `group`'s offsets on `topic` would move for `target`, per partition. Throws
    /// `GroupOffsetResetError` while the group has members, or when it does not exist.
    public func planOffsetReset(group: String, topic: String, to target: OffsetSpec) async throws -> GroupOffsetResetPlan {
        let description = try await describeGroup(group)
        guard description.members.isEmpty else {
            throw GroupOffsetResetError.groupHasMembers(group: group, members: description.members)
        }
        let committed = try await committedOffsets(group: group, topic: topic)
        if committed.isEmpty, try await committedOffsets(group: group).isEmpty {
            throw GroupOffsetResetError.groupNotFound(group)
        }
        let starts = try await offsets(topic: topic, .earliest)
        let ends = try await offsets(topic: topic, .latest)
        let targets = try await offsets(topic: topic, target)
        return GroupOffsetResetPlan.plan(group: group, topic: topic, starts: starts, ends: ends, committed: committed, targets: targets)
    }

    /// Commits the plan's offsets as an administrator (no member, generation -1: the coordinator
    /// accepts that only while the group is empty) and returns the offsets the group then has.
    public func applyOffsetReset(_ plan: GroupOffsetResetPlan) async throws -> [Int32: Int64] {
        let connection = try await coordinatorConnection(plan.group)
        let refused = try await GroupOffsets.commit(plan.newOffsets, group: plan.group, generation: -1, memberID: "", on: connection)
        guard refused.isEmpty else {
            throw GroupOffsetResetError.commitRefused(group: plan.group, errors: refused.mapValues { KafkaErrorCode(rawValue: $0).name })
        }
        return try await committedOffsets(group: plan.group, topic: plan.topic)
    }
}
