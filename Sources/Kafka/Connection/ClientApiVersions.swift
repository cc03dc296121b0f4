import KafkaProtocol

/// The versions of each API this client speaks: within what the generated codecs cover,
/// limited to what the client's behaviour handles.
enum ClientApiVersions {
    static func range(for apiKey: ApiKey) -> ClosedRange<Int16>? {
        switch apiKey {
        case .produce: 3...11           // record batch v2 needs 3+
        case .fetch: 4...12             // 13+ names topics by id only; we address topics by name
        case .listOffsets: 1...9        // 1+ returns a single offset; 10 adds nothing we use
        case .metadata: 1...12
        case .apiVersions: 0...4
        case .initProducerId: 0...5
        case .createTopics: 2...7
        case .deleteTopics: 1...6
        case .saslHandshake: 0...1
        case .saslAuthenticate: 0...2
        case .findCoordinator: 0...4    // 4+ batches coordinator keys
        case .joinGroup: 0...9
        case .syncGroup: 0...5
        case .heartbeat: 0...4
        case .leaveGroup: 0...5
        case .offsetCommit: 2...9
        case .offsetFetch: 1...7        // 8+ batches groups
        case .describeGroups: 0...5
        case .listGroups: 0...4
        default: nil
        }
    }
}
