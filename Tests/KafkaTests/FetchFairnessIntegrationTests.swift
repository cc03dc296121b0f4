import Kafka
import KafkaTestSupport
import NIOCore
import ServiceScope
import Testing

/// A fetch that stops at its byte limit must not serve the same partitions every time.
@Suite struct FetchFairnessIntegrationTests {
    let broker: TansuBroker
    init() throws { broker = try TansuBroker.start() }

    @Test("with a backlog on six partitions and fetches smaller than one partition's backlog, every partition advances within six fetches")
    func noPartitionStarves() async throws {
        let topic = "fairness"
        let admin = KafkaAdmin(configuration: broker.configuration)
        try await admin.createTopic(NewTopic(name: topic, partitions: 6))
        await admin.shutdown()
        // Small batches, so a fetch can stop between them: 40 batches of 8 records of 1 KiB per partition.
        var settings = ProducerSettings()
        settings.batchSize = 8 << 10
        let producer = try await KafkaProducer(configuration: broker.configuration, settings: settings)
        let value = String(repeating: "x", count: 1000)
        let records = (0..<6 * 320).map { ProducerRecord(topic: topic, value: ByteBuffer(string: value), partition: Int32($0 % 6)) }
        let results = try await whileRunning(producer) { await producer.send(contentsOf: records) }
        #expect(results.allSatisfy { (try? $0.get()) != nil })

        // A fetch holds at most 64 KiB: a fifth of one partition's backlog.
        let consumer = try await PartitionConsumer(configuration: broker.configuration,
                                                   settings: ConsumerSettings(maxWait: .milliseconds(25), maxBytes: 64 << 10, partitionMaxBytes: 64 << 10))
        try await consumer.assign(topic: topic, from: .earliest)
        var advanced: [Set<Int32>] = []
        for try await batch in consumer.batches(idleTimeout: .seconds(30)) {
            advanced.append(Set(batch.map(\.partition)))
            if advanced.count == 6 { break }
        }
        // The worst lag is that of the partition furthest from its 320th record.
        let behind = consumer.currentPositions.map { (partition: $0.key.partition, lag: 320 - $0.value) }
        let worst = try #require(consumer.worstLag)
        #expect(worst.lag == behind.map(\.lag).max() && worst.lag > 0)
        #expect(behind.first { $0.partition == worst.partition.partition }?.lag == worst.lag)
        await consumer.shutdown()
        #expect(advanced.count == 6)
        #expect(advanced.reduce(into: Set<Int32>()) { $0.formUnion($1) } == [0, 1, 2, 3, 4, 5], "partitions per fetch: \(advanced)")
    }
}
