import KafkaProtocol
import Retry

/// A topic to create.
public struct NewTopic: Sendable {
    public var name: String
    /// Number of partitions; -1 for the broker's default.
    public var partitions: Int32
    /// Replication factor; -1 for the broker's default.
    public var replicationFactor: Int16
    /// Topic configs such as `retention.ms`.
    public var configs: [String: String]

    /// A topic named `name`.
    public init(name: String, partitions: Int32 = 1, replicationFactor: Int16 = 1, configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}

/// A topic as listed by the cluster.
public struct TopicDescription: Sendable, Equatable {
    public var name: String
    public var partitionCount: Int
    public var replicationFactor: Int
    public var isInternal: Bool
}

/// Where in a partition's log to look: its first offset, the offset after its last record, or the
/// first offset whose record's timestamp is at or after a time (-1 when no record is that late).
public enum OffsetSpec: Sendable, Equatable {
    case earliest
    case latest
    /// Milliseconds since the epoch.
    case timestamp(Int64)

    var timestamp: Int64 {
        switch self {
        case .earliest: -2
        case .latest: -1
        case .timestamp(let milliseconds): milliseconds
        }
    }
}

/// Topic administration and offset queries.
public final class KafkaAdmin: Sendable {
    /// The cluster this admin talks to (shareable with producers and consumers).
    public let cluster: KafkaCluster

    /// An admin client for the cluster described by `configuration`.
    public init(configuration: KafkaConfiguration) {
        self.cluster = KafkaCluster(configuration: configuration)
    }

    /// An admin client on an existing cluster view.
    public init(cluster: KafkaCluster) {
        self.cluster = cluster
    }

    /// Creates a topic and waits until its partitions have leaders.
    public func createTopic(_ topic: NewTopic) async throws {
        try await createTopics([topic])
    }

    /// Creates topics and waits until their partitions have leaders.
    public func createTopics(_ topics: [NewTopic]) async throws {
        let connection = try await controllerConnection()
        let response = try await connection.send(Self.createTopicsRequest(topics, timeout: connection.requestTimeout))
        for result in response.topics where KafkaErrorCode(rawValue: result.errorCode) != .none {
            let code = KafkaErrorCode(rawValue: result.errorCode)
            let hint = code == .topicAlreadyExists ? " — it already exists" : ""
            throw KafkaError.broker(code: result.errorCode, name: code.name, message: (result.errorMessage ?? "") + hint,
                                    context: "creating topic '\(result.name)'", retriable: code.isRetriable)
        }
        for topic in topics {
            _ = try await cluster.topic(topic.name, wait: .seconds(10))
        }
    }

    /// Deletes a topic.
    public func deleteTopic(named name: String) async throws {
        let connection = try await controllerConnection()
        let version = try connection.version(for: DeleteTopicsRequest.self)
        let request = Self.deleteTopicsRequest(named: name, version: version, timeout: connection.requestTimeout)
        let response = try await connection.send(request, version: version)
        for result in response.responses where KafkaErrorCode(rawValue: result.errorCode) != .none {
            let code = KafkaErrorCode(rawValue: result.errorCode)
            if code == .unknownTopicOrPartition { throw KafkaError.unknownTopic(name) }
            throw KafkaError.broker(code: result.errorCode, name: code.name, message: result.errorMessage,
                                    context: "deleting topic '\(name)'", retriable: code.isRetriable)
        }
        await cluster.invalidateMetadata()
    }

    /// The controller waits up to `timeout` for the topics to be created.
    static func createTopicsRequest(_ topics: [NewTopic], timeout: Duration) -> CreateTopicsRequest {
        CreateTopicsRequest(
            topics: topics.map { topic in
                CreateTopicsRequest.CreatableTopic(
                    name: topic.name, numPartitions: topic.partitions, replicationFactor: topic.replicationFactor,
                    configs: topic.configs.sorted { $0.key < $1.key }.map { .init(name: $0.key, value: $0.value) })
            },
            timeoutMs: timeout.wholeMilliseconds(as: Int32.self))
    }

    /// Names the topic the way `version` expects; the controller waits up to `timeout` for the deletion.
    static func deleteTopicsRequest(named name: String, version: Int16, timeout: Duration) -> DeleteTopicsRequest {
        let timeoutMs = timeout.wholeMilliseconds(as: Int32.self)
        return version >= 6
            ? DeleteTopicsRequest(topics: [.init(name: name)], timeoutMs: timeoutMs)
            : DeleteTopicsRequest(topicNames: [name], timeoutMs: timeoutMs)
    }

    /// Every topic in the cluster, sorted by name.
    public func listTopics() async throws -> [TopicDescription] {
        let metadata = try await cluster.refreshMetadata(allTopics: true)
        return metadata.topics.values.map { topic in
            TopicDescription(name: topic.name, partitionCount: topic.partitions.count,
                             replicationFactor: topic.partitions.first?.replicas.count ?? 0, isInternal: topic.isInternal)
        }.sorted { $0.name < $1.name }
    }

    /// The earliest or latest offset, or the offset at a time, of every partition of `topic`.
    public func offsets(topic: String, _ spec: OffsetSpec) async throws -> [Int32: Int64] {
        let metadata = try await cluster.topic(topic)
        let partitions = metadata.partitions.map { TopicPartition(topic: topic, partition: $0.id) }
        let offsets = try await OffsetLookup(cluster: cluster).offsets(for: partitions, spec, isolation: .readUncommitted)
        return Dictionary(uniqueKeysWithValues: offsets.map { ($0.key.partition, $0.value) })
    }

    /// Closes the admin's connections.
    public func shutdown() async {
        await cluster.shutdown()
    }

    /// Runs `body` with an admin client for `configuration` and shuts the client down before
    /// returning or rethrowing, so no connection outlives the call.
    public static func withAdmin<Result>(
        configuration: KafkaConfiguration,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (KafkaAdmin) async throws -> Result
    ) async throws -> Result {
        let admin = KafkaAdmin(configuration: configuration)
        let result: Result
        do {
            result = try await body(admin)
        } catch {
            await admin.shutdown()
            throw error
        }
        await admin.shutdown()
        return result
    }

    private func controllerConnection() async throws -> BrokerConnection {
        let metadata = try await cluster.refreshMetadata()
        if metadata.controllerID >= 0, metadata.brokers[metadata.controllerID] != nil {
            return try await cluster.connection(to: metadata.controllerID)
        }
        return try await cluster.anyConnection()
    }
}
