import KafkaProtocol

/// OffsetFetch and OffsetCommit against a group's coordinator.
enum GroupOffsets {
    /// The committed offsets of `group` for `partitions`; partitions without one are absent.
    static func committed(group: String, partitions: [TopicPartition], on connection: BrokerConnection) async throws -> [TopicPartition: Int64] {
        let topics = Dictionary(grouping: partitions, by: \.topic).sorted { $0.key < $1.key }.map {
            OffsetFetchRequest.Topic(name: $0.key, partitionIndexes: $0.value.map(\.partition).sorted())
        }
        let response = try await connection.send(OffsetFetchRequest(groupId: group, topics: topics))
        let context = "reading the committed offsets of consumer group '\(group)'"
        try KafkaError.check(response.errorCode, context: context)
        var result: [TopicPartition: Int64] = [:]
        for topic in response.topics {
            for partition in topic.partitions {
                try KafkaError.check(partition.errorCode, context: context)
                if partition.committedOffset >= 0 {
                    result[TopicPartition(topic: topic.name, partition: partition.partitionIndex)] = partition.committedOffset
                }
            }
        }
        return result
    }

    /// Commits `offsets` (next offset to read, per partition) as member `memberID` of `generation`;
    /// returns the error code of each partition the coordinator refused.
    static func commit(_ offsets: [TopicPartition: Int64], group: String, generation: Int32, memberID: String,
                       on connection: BrokerConnection) async throws -> [TopicPartition: Int16] {
        let topics = Dictionary(grouping: offsets, by: \.key.topic).sorted { $0.key < $1.key }.map { topic, entries in
            OffsetCommitRequest.Topic(name: topic, partitions: entries.sorted { $0.key.partition < $1.key.partition }.map {
                OffsetCommitRequest.Partition(partitionIndex: $0.key.partition, committedOffset: $0.value, committedMetadata: "")
            })
        }
        let request = OffsetCommitRequest(groupId: group, generationIdOrMemberEpoch: generation, memberId: memberID, topics: topics)
        let response = try await connection.send(request)
        var refused: [TopicPartition: Int16] = [:]
        for topic in response.topics {
            for partition in topic.partitions where partition.errorCode != 0 {
                refused[TopicPartition(topic: topic.name, partition: partition.partitionIndex)] = partition.errorCode
            }
        }
        return refused
    }
}
