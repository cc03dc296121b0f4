/// The order of partitions in a fetch request. A broker fills a response in request order until
/// its byte limit, so a fixed order starves the partitions at the end while those in front have
/// a backlog. Each round starts one partition further on (as Kafka's own clients rotate, KIP-74).
enum FetchOrder {
    /// `partitions` grouped by topic, topics and partitions sorted, each list rotated by `round`.
    static func plan(_ partitions: some Sequence<TopicPartition>, round: Int) -> [(topic: String, partitions: [Int32])] {
        let byTopic = Dictionary(grouping: partitions, by: \.topic)
        let topics = rotated(byTopic.keys.sorted(), by: round)
        return topics.map { topic in (topic, rotated(byTopic[topic]!.map(\.partition).sorted(), by: round)) }
    }

    private static func rotated<T>(_ items: [T], by round: Int) -> [T] {
        guard !items.isEmpty else { return items }
        let start = (round % items.count + items.count) % items.count
        return Array(items[start...] + items[..<start])
    }
}
