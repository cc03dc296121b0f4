import KafkaProtocol
import Retry
import NIOCore
import NIOPosix

/// The client's view of a cluster: bootstrap, one connection per broker, and cached metadata
/// refreshed when it is stale, when errors say the cluster moved, and when it grows old.
public actor KafkaCluster {
    public let configuration: KafkaConfiguration
    let eventLoopGroup: any EventLoopGroup
    private var connections: [Int32: Task<BrokerConnection, any Error>] = [:]
    private var bootstrapConnection: BrokerConnection?
    private var metadata = ClusterMetadata()
    private var fetchedAt: ContinuousClock.Instant?
    private var stale = true
    private var knownTopics: Set<String> = []
    private var refreshing: Task<ClusterMetadata, any Error>?
    private let policy: MetadataRefreshPolicy
    private var isShutDown = false

    /// A cluster reached through `configuration.bootstrapServers`; nothing connects until first use.
    public init(configuration: KafkaConfiguration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.policy = MetadataRefreshPolicy(maxAge: configuration.metadataMaxAge)
    }

    /// Any live connection: the bootstrap one, a broker's, or a new one to the first bootstrap server that answers.
    public func anyConnection() async throws -> BrokerConnection {
        guard !isShutDown else { throw KafkaError.shutDown }
        if let c = bootstrapConnection, c.isActive { return c }
        for task in connections.values {
            if let c = try? await task.value, c.isActive { return c }
        }
        var reasons: [String] = []
        for address in configuration.bootstrapServers {
            do {
                let c = try await BrokerConnection.connect(to: address, configuration: configuration, eventLoopGroup: eventLoopGroup)
                bootstrapConnection?.close()
                bootstrapConnection = c
                return c
            } catch let error as KafkaError {
                if error.isAuthenticationFailure { throw error }
                if case .configuration = error { throw error }
                if case .connectionFailed(let address, let reason) = error {
                    reasons.append("\(address): \(reason)")
                } else {
                    reasons.append(BrokerConnection.describe(error))
                }
            }
        }
        throw KafkaError.noBrokerAnswered(configuration.bootstrapServers, reason: reasons.last ?? "no servers")
    }

    /// The connection to broker `nodeID`, opened on first use and reopened after it closed.
    public func connection(to nodeID: Int32) async throws -> BrokerConnection {
        guard !isShutDown else { throw KafkaError.shutDown }
        if let task = connections[nodeID] {
            if let c = try? await task.value, c.isActive { return c }
            if connections[nodeID] == task { connections[nodeID] = nil }
        }
        if let task = connections[nodeID] { return try await task.value }
        if metadata.brokers[nodeID] == nil { _ = try await refreshMetadata() }
        guard let broker = metadata.brokers[nodeID] else {
            let code = KafkaErrorCode.brokerNotAvailable
            throw KafkaError.broker(code: code.rawValue, name: code.name, message: "node \(nodeID) is not in the cluster metadata", context: "connecting", retriable: true)
        }
        let configuration = self.configuration
        let group = eventLoopGroup
        // Stored and awaited by every caller wanting this broker meanwhile: one connect per broker.
        let task = Task { try await BrokerConnection.connect(to: broker.address, nodeID: nodeID, configuration: configuration, eventLoopGroup: group) }
        connections[nodeID] = task
        do {
            return try await task.value
        } catch {
            if connections[nodeID] == task { connections[nodeID] = nil }
            throw error
        }
    }

    /// Cached metadata, refreshed first when stale or older than the configured maximum age.
    public func currentMetadata() async throws -> ClusterMetadata {
        if stale || fetchedAt.map({ policy.isExpired(fetchedAt: $0, now: .now) }) ?? true {
            return try await refreshMetadata()
        }
        return metadata
    }

    /// Marks the metadata stale (after an error that says leaders or topics moved).
    public func invalidateMetadata() {
        stale = true
    }

    /// Metadata for `topic`; waits up to `wait` for a topic that is being created (no leader
    /// yet, or not known to every broker yet), then fails with `unknownTopic`.
    public func topic(_ name: String, wait: Duration = .seconds(5)) async throws -> ClusterMetadata.Topic {
        let deadline = ContinuousClock.now + wait
        if !knownTopics.contains(name) {
            knownTopics.insert(name)
            stale = true
        }
        let retry = RetryPolicy(maxAttempts: .max, initialBackoff: .milliseconds(20), maxBackoff: .milliseconds(500))
        var attempt = 0
        while true {
            attempt += 1
            let metadata = try await currentMetadata()
            if let topic = metadata.topics[name], KafkaErrorCode(rawValue: topic.errorCode) == .none, !topic.partitions.isEmpty,
               topic.partitions.allSatisfy({ $0.leader >= 0 }) {
                return topic
            }
            let code = KafkaErrorCode(rawValue: metadata.topics[name]?.errorCode ?? KafkaErrorCode.unknownTopicOrPartition.rawValue)
            if code != .none && !MetadataRefreshPolicy.isRetriable(code.rawValue) {
                throw KafkaError.broker(code: code.rawValue, name: code.name, message: nil, context: "metadata for topic '\(name)'", retriable: false)
            }
            let backoff = retry.randomDelay(afterAttempt: attempt)
            guard ContinuousClock.now + backoff < deadline else {
                if code == .unknownTopicOrPartition { throw KafkaError.unknownTopic(name) }
                throw KafkaError.broker(code: code.rawValue, name: code.name, message: "topic has no leader", context: "metadata for topic '\(name)'", retriable: true)
            }
            try await Task.sleep(for: backoff)
            stale = true
        }
    }

    /// Fetches metadata for every topic the client uses (or all topics when `allTopics`).
    @discardableResult
    public func refreshMetadata(allTopics: Bool = false) async throws -> ClusterMetadata {
        if !allTopics, let refreshing { return try await refreshing.value }
        let topics = allTopics ? nil : Array(knownTopics)
        // Stored and awaited by every caller refreshing meanwhile: one Metadata request for all.
        let task = Task { try await self.fetchMetadata(topics: topics) }
        if !allTopics { refreshing = task }
        defer { if !allTopics { refreshing = nil } }
        let fresh: ClusterMetadata
        do {
            fresh = try await task.value
        } catch let error as KafkaError where error.isRetriable {
            // The broker we asked went away: forget it and try another once.
            bootstrapConnection = nil
            fresh = try await fetchMetadata(topics: topics)
        }
        metadata.merge(fresh, fullTopicList: allTopics || topics == nil)
        fetchedAt = .now
        stale = false
        return allTopics ? fresh : metadata
    }

    /// Metadata of `topics` (all topics when nil) from any broker.
    private func fetchMetadata(topics: [String]?) async throws -> ClusterMetadata {
        let connection = try await anyConnection()
        let request = MetadataRequest(topics: topics.map { $0.map { MetadataRequest.Topic(name: $0) } }, allowAutoTopicCreation: false)
        return ClusterMetadata(try await connection.send(request))
    }

    /// Closes every connection; later calls fail with `shutDown`.
    public func shutdown() async {
        isShutDown = true
        bootstrapConnection?.close()
        for task in connections.values {
            if let c = try? await task.value { c.close() }
        }
        connections.removeAll()
    }
}

extension ClusterMetadata {
    init(_ response: MetadataResponse) {
        self.init()
        controllerID = response.controllerId
        for broker in response.brokers {
            brokers[broker.nodeId] = Broker(nodeID: broker.nodeId, address: BrokerAddress(host: broker.host, port: Int(broker.port)))
        }
        for topic in response.topics {
            guard let name = topic.name else { continue }
            let partitions = topic.partitions.sorted { $0.partitionIndex < $1.partitionIndex }.map {
                Partition(id: $0.partitionIndex, leader: $0.leaderId, leaderEpoch: $0.leaderEpoch, replicas: $0.replicaNodes, errorCode: $0.errorCode)
            }
            topics[name] = Topic(name: name, errorCode: topic.errorCode, isInternal: topic.isInternal, partitions: partitions)
        }
    }
}
