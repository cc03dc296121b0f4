import Kafka
import KafkaTestSupport
import Testing

@Suite(.serialized) struct AdminIntegrationTests {
    let broker: TansuBroker
    init() throws { broker = try TansuBroker.start() }

    @Test("topics are created with their partitions, listed, and deleted")
    func createListDelete() async throws {
        let admin = KafkaAdmin(configuration: broker.configuration)
        try await admin.createTopic(NewTopic(name: "admin-a", partitions: 3, replicationFactor: 1, configs: ["retention.ms": "60000"]))
        try await admin.createTopic(NewTopic(name: "admin-b", partitions: 1))
        let topics = try await admin.listTopics()
        #expect(topics.first { $0.name == "admin-a" }?.partitionCount == 3)
        #expect(topics.contains { $0.name == "admin-b" })
        try await admin.deleteTopic(named: "admin-a")
        let after = try await admin.listTopics()
        #expect(!after.contains { $0.name == "admin-a" })
        #expect(after.contains { $0.name == "admin-b" })
        await admin.shutdown()
    }

    @Test("creating an existing topic fails and says so")
    func createTwice() async throws {
        let admin = KafkaAdmin(configuration: broker.configuration)
        try await admin.createTopic(NewTopic(name: "twice"))
        await #expect(throws: KafkaError.self) { try await admin.createTopic(NewTopic(name: "twice")) }
        await admin.shutdown()
    }

    @Test("an empty topic's earliest and latest offsets are 0")
    func emptyOffsets() async throws {
        let admin = KafkaAdmin(configuration: broker.configuration)
        try await admin.createTopic(NewTopic(name: "offsets-empty", partitions: 2))
        #expect(try await admin.offsets(topic: "offsets-empty", .earliest) == [0: 0, 1: 0])
        #expect(try await admin.offsets(topic: "offsets-empty", .latest) == [0: 0, 1: 0])
        await admin.shutdown()
    }

    @Test("no broker at the bootstrap address gives an error naming the address, and no flag")
    func noBroker() async throws {
        let admin = KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: [BrokerAddress(host: "127.0.0.1", port: 1)]))
        do {
            _ = try await admin.listTopics()
            Issue.record("listing topics without a broker succeeded")
        } catch let error as KafkaError {
            #expect(error.description.hasPrefix("no Kafka broker answered at 127.0.0.1:1 ("))
            #expect(!error.description.contains("--"))
        }
    }
}
