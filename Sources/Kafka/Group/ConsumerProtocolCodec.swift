import KafkaProtocol
import NIOCore

/// The "consumer" protocol's bytes inside JoinGroup and SyncGroup: subscriptions and
/// assignments, version-prefixed. Version 0 is written because every client reads it and
/// eager rebalancing needs none of the later fields.
enum ConsumerProtocolCodec {
    static let protocolType = "consumer"
    static let version: Int16 = 0

    /// JoinGroup protocol metadata subscribing to `topics`.
    static func subscription(topics: [String]) -> ByteBuffer {
        var buffer = ByteBuffer()
        // Topic names are validated by the broker to be short; encoding cannot fail for them.
        try? ConsumerProtocolSubscription(topics: topics).encodeVersionPrefixed(into: &buffer, version: version)
        return buffer
    }

    /// SyncGroup assignment bytes for `partitions`, grouped by topic, partitions ascending.
    static func assignment(_ partitions: [TopicPartition]) -> ByteBuffer {
        let byTopic = Dictionary(grouping: partitions, by: \.topic)
        let assignment = ConsumerProtocolAssignment(assignedPartitions: byTopic.keys.sorted().map { topic in
            .init(topic: topic, partitions: byTopic[topic]!.map(\.partition).sorted())
        })
        var buffer = ByteBuffer()
        try? assignment.encodeVersionPrefixed(into: &buffer, version: version)
        return buffer
    }

    /// The partitions in SyncGroup (or DescribeGroups) assignment bytes, sorted.
    static func partitions(in bytes: ByteBuffer) throws -> [TopicPartition] {
        var bytes = bytes
        let assignment = try ConsumerProtocolAssignment(versionPrefixed: &bytes)
        return assignment.assignedPartitions.flatMap { topic in
            topic.partitions.map { TopicPartition(topic: topic.topic, partition: $0) }
        }.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
    }
}
