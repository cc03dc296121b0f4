/// The "range" assignor: for each topic, the members subscribed to it (in member order) get
/// consecutive ranges of its partitions; the first `count % members` get one more.
enum RangeAssignment {
    static func assign(_ members: [AssignorMember], partitionCounts: [String: Int32]) -> [String: [TopicPartition]] {
        var result = Dictionary(uniqueKeysWithValues: members.map { ($0.memberID, [TopicPartition]()) })
        let topics = Set(members.flatMap(\.topics)).sorted()
        for topic in topics {
            guard let count = partitionCounts[topic], count > 0 else { continue }
            let subscribers = members.filter { $0.topics.contains(topic) }.sorted(by: AssignorMember.precedes)
            let perMember = Int(count) / subscribers.count
            let extra = Int(count) % subscribers.count
            for (i, member) in subscribers.enumerated() {
                let start = i * perMember + min(i, extra)
                let length = perMember + (i < extra ? 1 : 0)
                result[member.memberID, default: []].append(contentsOf: (start..<start + length).map {
                    TopicPartition(topic: topic, partition: Int32($0))
                })
            }
        }
        return result
    }
}
