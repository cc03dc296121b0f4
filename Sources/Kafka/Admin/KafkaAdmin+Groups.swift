import KafkaProtocol
import Retry

extension KafkaAdmin {
    /// Every group the brokers know, sorted by id.
    public func listGroups() async throws -> [GroupListing] {
        let metadata = try await cluster.refreshMetadata()
        var groups: [String: GroupListing] = [:]
        // Each broker lists only the groups it coordinates.
        for nodeID in metadata.brokers.keys.sorted() {
            let connection = try await cluster.connection(to: nodeID)
            let response = try await connection.send(ListGroupsRequest())
            try KafkaError.check(response.errorCode, context: "listing consumer groups on broker \(nodeID)")
            for group in response.groups {
                groups[group.groupId] = GroupListing(groupID: group.groupId, protocolType: group.protocolType, state: group.groupState)
            }
        }
        return groups.values.sorted { $0.groupID < $1.groupID }
    }

    /// The group's state, chosen assignor, and members with their assigned partitions.
    public func describeGroup(_ groupID: String) async throws -> GroupDescription {
        let connection = try await coordinatorConnection(groupID)
        let response = try await connection.send(DescribeGroupsRequest(groups: [groupID]))
        guard let group = response.groups.first(where: { $0.groupId == groupID }) ?? response.groups.first else {
            throw KafkaError.malformedResponse("DescribeGroups for '\(groupID)' returned no group")
        }
        try KafkaError.check(group.errorCode, context: "describing consumer group '\(groupID)'")
        let members = group.members.map { member in
            // Only the "consumer" protocol's assignment bytes are known; others show no partitions.
            let assignment = group.protocolType == ConsumerProtocolCodec.protocolType
                ? (try? ConsumerProtocolCodec.partitions(in: member.memberAssignment)) ?? [] : []
            return GroupMemberDescription(memberID: member.memberId, clientID: member.clientId, clientHost: member.clientHost, assignment: assignment)
        }.sorted { $0.memberID < $1.memberID }
        return GroupDescription(groupID: group.groupId, state: group.groupState, protocolType: group.protocolType,
                                assignor: group.protocolData, members: members)
    }

    /// The group's committed offsets for `topic`, by partition (partitions without one are absent).
    public func committedOffsets(group: String, topic: String) async throws -> [Int32: Int64] {
        let partitions = try await cluster.topic(topic).partitions.map { TopicPartition(topic: topic, partition: $0.id) }
        let committed = try await GroupOffsets.committed(group: group, partitions: partitions, on: coordinatorConnection(group))
        return Dictionary(uniqueKeysWithValues: committed.map { ($0.key.partition, $0.value) })
    }

    /// Every committed offset of the group, whatever the topic.
    public func committedOffsets(group: String) async throws -> [TopicPartition: Int64] {
        // Every partition is named: some brokers (Tansu) answer "all topics" with a null list.
        let partitions = try await listTopics().filter { !$0.isInternal }.flatMap { topic in
            (0..<Int32(topic.partitionCount)).map { TopicPartition(topic: topic.name, partition: $0) }
        }
        guard !partitions.isEmpty else { return [:] }
        return try await GroupOffsets.committed(group: group, partitions: partitions, on: coordinatorConnection(group))
    }

    /// Per partition of `topic`: end offset, the group's committed offset, and the lag between
    /// them (counted from the log start when nothing is committed).
    public func groupLag(group: String, topic: String) async throws -> [PartitionLag] {
        let committed = try await committedOffsets(group: group, topic: topic)
        let ends = try await offsets(topic: topic, .latest)
        let starts = try await offsets(topic: topic, .earliest)
        return PartitionLag.of(ends: ends, starts: starts, committed: committed)
    }

    func coordinatorConnection(_ group: String) async throws -> BrokerConnection {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await cluster.connection(to: GroupCoordinatorLookup.find(group: group, in: cluster))
            } catch let error as KafkaError where error.isRetriable && RetryPolicy.brokerRequests.allowsRetry(afterAttempt: attempt) {
                // A new group's coordinator may still be loading.
                try await Task.sleep(for: RetryPolicy.brokerRequests.randomDelay(afterAttempt: attempt))
            }
        }
    }
}
