import Kafka
import KafkaTestSupport
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// The group consumer as a service: what its `run()` ends, and how it stops.
@Suite(.serialized) struct ConsumerServiceTests {
    let broker: TansuBroker
    init() throws { broker = try TansuBroker.start() }

    func consumer(_ group: String) async throws -> KafkaConsumer {
        let admin = KafkaAdmin(configuration: broker.configuration)
        try await admin.createTopic(NewTopic(name: group, partitions: 1))
        await admin.shutdown()
        return try await KafkaConsumer(configuration: broker.configuration, group: ConsumerGroupSettings(
            groupID: group, sessionTimeout: .seconds(3), heartbeatInterval: .milliseconds(300)))
    }

    func serviceGroup(_ consumer: KafkaConsumer) -> ServiceGroup {
        var logger = Logger(label: "test-service-group")
        logger.logLevel = .warning
        return ServiceGroup(configuration: .init(services: [consumer], logger: logger))
    }

    @Test("a graceful stop ends a loop waiting for records, revokes the assignment, and run() returns")
    func gracefulStopEndsLoop() async throws {
        let consumer = try await consumer("service-graceful")
        let group = serviceGroup(consumer)
        let revoked = Mutex<[TopicPartition]>([])
        let batches = try await withThrowingTaskGroup(of: Int?.self) { tasks in
            tasks.addTask { try await group.run(); return nil }
            try await consumer.subscribe(to: ["service-graceful"], listener: RebalanceListener(revoked: { partitions in
                revoked.withLock { $0 += partitions }
            }))
            tasks.addTask { try await consumer.batches().reduce(0) { $0 + $1.count } }
            await group.triggerGracefulShutdown()
            var counted: Int?
            while let result = try await tasks.next() { counted = result ?? counted }
            return counted
        }
        #expect(batches == 0)
        #expect(revoked.withLock { $0 } == [TopicPartition(topic: "service-graceful", partition: 0)])
    }

    @Test("a cancelled run() ends the loop without an error")
    func cancelEndsLoop() async throws {
        let consumer = try await consumer("service-cancelled")
        async let counted = consumer.batches().reduce(0) { $0 + $1.count }
        try await withThrowingTaskGroup(of: Void.self) { service in
            service.addTask { try await consumer.run() }
            try await consumer.subscribe(to: ["service-cancelled"])
            service.cancelAll()
            try await service.waitForAll()
        }
        #expect(try await counted == 0)
    }

    @Test("a consumer runs once")
    func runsOnce() async throws {
        let consumer = try await consumer("service-once")
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await self.serviceGroup(consumer).run() }
            try await consumer.subscribe(to: ["service-once"])  // joined: run() runs
            await #expect(throws: KafkaError.self) { try await consumer.run() }
            tasks.cancelAll()
        }
    }
}
