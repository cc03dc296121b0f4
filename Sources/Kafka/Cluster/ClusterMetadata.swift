/// What the client knows about the cluster: brokers, and for each topic its partitions' leaders.
public struct ClusterMetadata: Sendable, Equatable {
    /// A broker as advertised in Metadata.
    public struct Broker: Sendable, Equatable {
        public var nodeID: Int32
        public var address: BrokerAddress
    }

    /// One partition of a topic.
    public struct Partition: Sendable, Equatable {
        public var id: Int32
        /// The leader's node id, or -1 while there is none (election in progress).
        public var leader: Int32
        public var leaderEpoch: Int32
        public var replicas: [Int32]
        public var errorCode: Int16
    }

    /// One topic and its partitions, ordered by partition id.
    public struct Topic: Sendable, Equatable {
        public var name: String
        public var errorCode: Int16
        public var isInternal: Bool
        public var partitions: [Partition]
    }

    public var brokers: [Int32: Broker] = [:]
    public var topics: [String: Topic] = [:]
    public var controllerID: Int32 = -1

    public init() {}

    /// Merges a response that may cover only some topics (brokers are replaced).
    public mutating func merge(_ other: ClusterMetadata, fullTopicList: Bool) {
        brokers = other.brokers
        controllerID = other.controllerID
        if fullTopicList {
            topics = other.topics
        } else {
            for (name, topic) in other.topics { topics[name] = topic }
        }
    }

    /// The leader of `partition` in `topic`, when known.
    public func leader(topic: String, partition: Int32) -> Broker? {
        guard let t = topics[topic], partition >= 0, Int(partition) < t.partitions.count else { return nil }
        let leader = t.partitions[Int(partition)].leader
        return brokers[leader]
    }
}
