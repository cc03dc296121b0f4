import KafkaProtocol

/// FindCoordinator for a consumer group: the node id of the broker that runs it.
enum GroupCoordinatorLookup {
    static func find(group: String, in cluster: KafkaCluster) async throws -> Int32 {
        let connection = try await cluster.anyConnection()
        let version = try connection.version(for: FindCoordinatorRequest.self)
        // Version 4 replaced the single key with a list of keys.
        let request = version >= 4
            ? FindCoordinatorRequest(keyType: 0, coordinatorKeys: [group])
            : FindCoordinatorRequest(key: group, keyType: 0)
        let response = try await connection.send(request, version: version)
        let (code, nodeID, message): (Int16, Int32, String?)
        if version >= 4 {
            guard let entry = response.coordinators.first(where: { $0.key == group }) ?? response.coordinators.first else {
                throw KafkaError.malformedResponse("FindCoordinator for group '\(group)' returned no coordinator")
            }
            (code, nodeID, message) = (entry.errorCode, entry.nodeId, entry.errorMessage)
        } else {
            (code, nodeID, message) = (response.errorCode, response.nodeId, response.errorMessage)
        }
        // COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR and COORDINATOR_LOAD_IN_PROGRESS are retriable.
        try KafkaError.check(code, message: message, context: "finding the coordinator of consumer group '\(group)'")
        return nodeID
    }

    /// The retriable error for a request that has no coordinator to go to yet.
    static func notFound(group: String, doing context: String) -> KafkaError {
        .broker(code: KafkaErrorCode.coordinatorNotAvailable.rawValue, name: KafkaErrorCode.coordinatorNotAvailable.name,
                message: "the coordinator is being looked up", context: "\(context) for consumer group '\(group)'", retriable: true)
    }
}
