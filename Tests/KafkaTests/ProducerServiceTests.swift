import KafkaTestSupport
import Logging
import NIOCore
import ServiceLifecycle
import ServiceScope
import Testing
@testable import Kafka

/// The producer as a service: what `run()` owns, and what a send meets when it does not run.
@Suite struct ProducerServiceTests {
    let broker: TansuBroker
    init() throws { broker = try TansuBroker.start() }

    func topic(_ name: String) async throws -> String {
        let admin = KafkaAdmin(configuration: broker.configuration)
        try await admin.createTopic(NewTopic(name: name, partitions: 1))
        await admin.shutdown()
        return name
    }

    func records(_ topic: String, _ count: Int) -> [ProducerRecord] {
        (0..<count).map { ProducerRecord(topic: topic, value: ByteBuffer(string: "\($0)")) }
    }

    /// A producer whose batches would wait ten minutes to fill: only a stop sends them sooner.
    func lingering() async throws -> KafkaProducer {
        var settings = ProducerSettings()
        settings.linger = .seconds(600)
        return try await KafkaProducer(configuration: broker.configuration, settings: settings)
    }

    /// Runs `producer` in a group of its own, sends `records` once it runs and, once they are
    /// queued, stops the group with `stop`; returns their outcomes.
    func stopWhileQueued(_ producer: KafkaProducer, _ records: [ProducerRecord],
                         stop: @escaping @Sendable (ServiceGroup, inout ThrowingTaskGroup<[Result<RecordMetadata, KafkaError>]?, any Error>) async -> Void)
        async -> [Result<RecordMetadata, KafkaError>] {
        var logger = Logger(label: "test-service-group")
        logger.logLevel = .warning
        let group = ServiceGroup(configuration: .init(services: [producer], logger: logger))
        return await withThrowingTaskGroup(of: [Result<RecordMetadata, KafkaError>]?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            tasks.addTask { await producer.send(contentsOf: records) }
            while producer.queuedRecords < records.count { await Task.yield() }
            await stop(group, &tasks)
            var outcome: [Result<RecordMetadata, KafkaError>] = []
            while let next = try? await tasks.next() {
                if let results = next { outcome = results }
            }
            return outcome
        }
    }

    @Test("stopped gracefully, the producer delivers the records it queued before it returns")
    func gracefulStopDelivers() async throws {
        let topic = try await topic("graceful-stop")
        let producer = try await lingering()
        let results = await stopWhileQueued(producer, records(topic, 20)) { group, _ in
            await group.triggerGracefulShutdown()
        }
        #expect(results.count == 20)
        #expect(results.allSatisfy { (try? $0.get()) != nil })
    }

    @Test("cancelled, the producer fails the records still queued as shut down and returns")
    func cancelFailsPending() async throws {
        let topic = try await topic("cancelled")
        let producer = try await lingering()
        let results = await stopWhileQueued(producer, records(topic, 20)) { _, tasks in
            tasks.cancelAll()
        }
        #expect(results.count == 20)
        #expect(results.allSatisfy { if case .failure(.shutDown) = $0 { true } else { false } })
    }

    @Test("a send while the producer does not run fails once its delivery timeout passed, rather than hang")
    func sendWithoutRunIsBounded() async throws {
        let topic = try await topic("not-running")
        var settings = ProducerSettings()
        settings.deliveryTimeout = .milliseconds(300)
        let producer = try await KafkaProducer(configuration: broker.configuration, settings: settings)
        let results = await producer.send(contentsOf: records(topic, 3))
        #expect(results.allSatisfy { if case .failure(.deliveryTimedOut) = $0 { true } else { false } })
        await producer.cluster.shutdown()
    }

    @Test("a send after the producer's run returned fails at once as shut down")
    func sendAfterRunFails() async throws {
        let topic = try await topic("after-run")
        let producer = try await KafkaProducer(configuration: broker.configuration)
        _ = try await whileRunning(producer) { try await producer.send(topic: topic, value: ByteBuffer(string: "first")) }
        let results = await producer.send(contentsOf: records(topic, 1))
        #expect(results.allSatisfy { if case .failure(.shutDown) = $0 { true } else { false } })
    }
}
