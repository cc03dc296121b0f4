/// The "roundrobin" assignor: every partition of every subscribed topic, sorted by topic then
/// partition, goes to the next member in a circular walk over the members (in member order),
/// skipping members not subscribed to its topic.
enum RoundRobinAssignment {
    static func assign(_ members: [AssignorMember], partitionCounts: [String: Int32]) -> [String: [TopicPartition]] {
        var result = Dictionary(uniqueKeysWithValues: members.map { ($0.memberID, [TopicPartition]()) })
        let ordered = members.sorted(by: AssignorMember.precedes)
        guard !ordered.isEmpty else { return result }
        var next = 0
        for topic in Set(members.flatMap(\.topics)).sorted(by: { $0.utf16.lexicographicallyPrecedes($1.utf16) }) {
            guard let count = partitionCounts[topic], count > 0 else { continue }
            for partition in 0..<count {
                // Some member is subscribed to `topic` (it came from a subscription), so this ends.
                while !ordered[next].topics.contains(topic) { next = (next + 1) % ordered.count }
                result[ordered[next].memberID, default: []].append(TopicPartition(topic: topic, partition: partition))
                next = (next + 1) % ordered.count
            }
        }
        return result
    }
}
