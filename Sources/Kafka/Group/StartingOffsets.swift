import KafkaProtocol

/// Where a member starts reading newly assigned partitions: the group's committed offset, or
/// for partitions without one, the configured reset position.
enum StartingOffsets {
    static func resolve(_ partitions: [TopicPartition], group: String, coordinator: Int32?, reset: ConsumerStart,
                        isolation: IsolationLevel, cluster: KafkaCluster) async throws -> [TopicPartition: Int64] {
        guard !partitions.isEmpty else { return [:] }
        // Fetching needs the topics' leaders in the metadata.
        for topic in Set(partitions.map(\.topic)) { _ = try await cluster.topic(topic) }
        guard let coordinator else { throw GroupCoordinatorLookup.notFound(group: group, doing: "reading committed offsets") }
        let starts = try await GroupOffsets.committed(group: group, partitions: partitions, on: cluster.connection(to: coordinator))
        let missing = partitions.filter { starts[$0] == nil }
        guard !missing.isEmpty else { return starts }
        let found = try await OffsetLookup(cluster: cluster).offsets(for: missing, from: reset, isolation: isolation)
        return starts.merging(found) { committed, _ in committed }
    }
}
