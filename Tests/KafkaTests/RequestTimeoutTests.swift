import KafkaProtocol
import NIOCore
import Testing
@testable import Kafka

/// A 1.5 s setting goes out as 1,500 ms in every request that carries a timeout, at the oldest
/// and newest version the client speaks (the requests are encoded and read back as a broker would).
@Suite struct RequestTimeoutTests {
    let timeout = Duration.milliseconds(1500)
    let tp = TopicPartition(topic: "users", partition: 0)

    /// `request` encoded at each end of the client's version range of its API, then decoded.
    func onTheWire<R: KafkaRequest & KafkaMessage>(_ request: R, versions: [Int16]? = nil) throws -> [R] {
        let range = try #require(ClientApiVersions.range(for: R.apiKey))
        return try (versions ?? [range.lowerBound, range.upperBound]).map { version in
            var buffer = ByteBuffer()
            try request.encode(into: &buffer, version: version)
            return try R(from: &buffer, version: version)
        }
    }

    @Test func produceTimeout() throws {
        let request = KafkaProducer.produceRequest([(tp, ByteBuffer())], acks: .all, timeout: timeout)
        #expect(try onTheWire(request).map(\.timeoutMs) == [1500, 1500])
    }

    @Test func createTopicsTimeout() throws {
        let request = KafkaAdmin.createTopicsRequest([NewTopic(name: "users", partitions: 1)], timeout: timeout)
        #expect(try onTheWire(request).map(\.timeoutMs) == [1500, 1500])
    }

    @Test func deleteTopicsTimeout() throws {
        let range = try #require(ClientApiVersions.range(for: .deleteTopics))
        let sent = try [range.lowerBound, range.upperBound].flatMap { version in
            try onTheWire(KafkaAdmin.deleteTopicsRequest(named: "users", version: version, timeout: timeout), versions: [version])
        }
        #expect(sent.map(\.timeoutMs) == [1500, 1500])
    }

    @Test func fetchMaxWait() throws {
        let request = FetchRound.request(for: [tp], positions: [tp: 0], settings: ConsumerSettings(), maxWait: timeout, rotation: 0)
        #expect(try onTheWire(request).map(\.maxWaitMs) == [1500, 1500])
    }

    @Test func joinGroupSessionAndRebalanceTimeouts() throws {
        var machine = GroupMembershipStateMachine(configuration: .init(groupID: "g", sessionTimeout: timeout, rebalanceTimeout: timeout,
                                                                       assignors: [.range]))
        _ = machine.handle(.subscribe(topics: ["users"]))
        guard case .sendJoinGroup(let join) = machine.handle(.coordinatorFound(nodeID: 1)) else { Issue.record("no JoinGroup"); return }
        let sent = try onTheWire(join)
        #expect(sent.map(\.sessionTimeoutMs) == [1500, 1500])
        // Version 0 has no rebalance timeout; every later one carries it.
        #expect(try onTheWire(join, versions: [1, 9]).map(\.rebalanceTimeoutMs) == [1500, 1500])
    }
}
