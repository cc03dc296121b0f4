import Kafka
import KafkaTestSupport
import KafkaProtocol
import NIOCore
import ServiceScope
import Testing

@Suite struct ProduceConsumeIntegrationTests {
    let broker: TansuBroker
    init() throws { broker = try TansuBroker.start() }

    func createTopic(_ name: String, partitions: Int32) async throws {
        let admin = KafkaAdmin(configuration: broker.configuration)
        try await admin.createTopic(NewTopic(name: name, partitions: partitions))
        await admin.shutdown()
    }

    func consumeAll(_ topic: String, expecting count: Int, isolation: IsolationLevel = .readUncommitted) async throws -> [ConsumerRecord] {
        let consumer = try await PartitionConsumer(configuration: broker.configuration, settings: ConsumerSettings(isolation: isolation))
        try await consumer.assign(topic: topic, from: .earliest)
        var records: [ConsumerRecord] = []
        for try await batch in consumer.batches(idleTimeout: .seconds(60)) {
            records.append(contentsOf: batch)
            if records.count >= count { break }
        }
        await consumer.shutdown()
        return records
    }

    @Test("records round-trip with every compression codec", arguments: CompressionCodec.allCases)
    func roundTrip(codec: CompressionCodec) async throws {
        let topic = "round-trip-\(codec)"
        try await createTopic(topic, partitions: 2)
        var settings = ProducerSettings()
        settings.compression = codec
        let producer = try await KafkaProducer(configuration: broker.configuration, settings: settings)
        let records = (0..<500).map { i in
            ProducerRecord(topic: topic, key: ByteBuffer(string: "key-\(i)"), value: ByteBuffer(string: "{\"n\":\(i),\"pad\":\"\(String(repeating: "x", count: i % 50))\"}"),
                           headers: [KafkaHeader(key: "n", string: "\(i)")])
        }
        let results = try await whileRunning(producer) { await producer.send(contentsOf: records) }
        #expect(results.allSatisfy { (try? $0.get()) != nil })
        let consumed = try await consumeAll(topic, expecting: 500)
        #expect(consumed.count == 500)
        let byKey = Dictionary(uniqueKeysWithValues: consumed.map { (String(buffer: $0.key!), $0) })
        for i in 0..<500 {
            let record = try #require(byKey["key-\(i)"])
            #expect(record.value.map { String(buffer: $0) } == "{\"n\":\(i),\"pad\":\"\(String(repeating: "x", count: i % 50))\"}")
            #expect(record.headers == [KafkaHeader(key: "n", string: "\(i)")])
        }
    }

    @Test("100,000 keyed records with headers come back exactly, each on its murmur2 partition")
    func hundredThousand() async throws {
        let topic = "hundred-thousand"
        let partitions = 6
        try await createTopic(topic, partitions: Int32(partitions))
        let producer = try await KafkaProducer(configuration: broker.configuration)
        let total = 100_000
        var offsets: [Int: RecordMetadata] = [:]
        try await whileRunning(producer) {
            for chunkStart in stride(from: 0, to: total, by: 10_000) {
                let chunk = (chunkStart..<(chunkStart + 10_000)).map { i in
                    ProducerRecord(topic: topic, key: ByteBuffer(string: "user-\(i)"), value: ByteBuffer(string: "{\"id\":\(i)}"),
                                   headers: [KafkaHeader(key: "source", string: "test"), KafkaHeader(key: "i", string: "\(i)")])
                }
                for (n, result) in await producer.send(contentsOf: chunk).enumerated() {
                    offsets[chunkStart + n] = try result.get()
                }
            }
        }
        #expect(offsets.count == total)

        let consumed = try await consumeAll(topic, expecting: total)
        #expect(consumed.count == total)
        var seen = Set<Int>()
        for record in consumed {
            let key = String(buffer: record.key!)
            let i = Int(key.dropFirst(5))!
            #expect(seen.insert(i).inserted, "record \(i) consumed twice")
            #expect(record.value.map { String(buffer: $0) } == "{\"id\":\(i)}")
            #expect(record.headers == [KafkaHeader(key: "source", string: "test"), KafkaHeader(key: "i", string: "\(i)")])
            #expect(record.partition == Murmur2Partitioner.partition(forKey: Array(key.utf8), partitionCount: partitions))
            #expect(offsets[i]?.partition == record.partition && offsets[i]?.offset == record.offset)
        }
        #expect(seen.count == total)
    }

    @Test("producing to a missing topic fails with a typed error naming the topic")
    func missingTopic() async throws {
        var settings = ProducerSettings()
        settings.topicWait = .milliseconds(300)
        let producer = try await KafkaProducer(configuration: broker.configuration, settings: settings)
        try await whileRunning(producer) {
            do {
                _ = try await producer.send(topic: "no-such-topic", value: ByteBuffer(string: "x"))
                Issue.record("producing to a missing topic succeeded")
            } catch let error as KafkaError {
                guard case .unknownTopic("no-such-topic") = error else { Issue.record("got \(error)"); return }
                #expect(error.description == "topic 'no-such-topic' does not exist")
            }
        }
    }

    @Test("a topic created while a producer runs is produced to")
    func topicCreatedWhileProducing() async throws {
        try await createTopic("early-topic", partitions: 1)
        let producer = try await KafkaProducer(configuration: broker.configuration)
        try await whileRunning(producer) {
            _ = try await producer.send(topic: "early-topic", value: ByteBuffer(string: "before"))
            try await createTopic("late-topic", partitions: 2)
            let metadata = try await producer.send(topic: "late-topic", key: ByteBuffer(string: "k"), value: ByteBuffer(string: "after"))
            #expect(metadata.offset == 0)
            #expect(metadata.partition == Murmur2Partitioner.partition(forKey: Array("k".utf8), partitionCount: 2))
        }
    }

    @Test("earliest and latest offsets follow what was produced; consumers start there")
    func listOffsets() async throws {
        let topic = "offsets-produced"
        try await createTopic(topic, partitions: 1)
        let producer = try await KafkaProducer(configuration: broker.configuration)
        let results = try await whileRunning(producer) {
            await producer.send(contentsOf: (0..<10).map { ProducerRecord(topic: topic, value: ByteBuffer(string: "\($0)")) })
        }
        #expect(results.compactMap { try? $0.get().offset } == Array(0..<10))
        let admin = KafkaAdmin(configuration: broker.configuration)
        #expect(try await admin.offsets(topic: topic, .earliest) == [0: 0])
        #expect(try await admin.offsets(topic: topic, .latest) == [0: 10])
        await admin.shutdown()

        let consumer = try await PartitionConsumer(configuration: broker.configuration)
        try await consumer.assign([TopicPartition(topic: topic, partition: 0)], from: .offset(7))
        var values: [String] = []
        for try await batch in consumer.batches(idleTimeout: .seconds(60)) {
            values += batch.map { String(buffer: $0.value!) }
            if values.count >= 3 { break }
        }
        #expect(values == ["7", "8", "9"])
        await consumer.shutdown()
    }

    @Test("acks=0 and acks=1 deliver too")
    func otherAcks() async throws {
        let topic = "acks"
        try await createTopic(topic, partitions: 1)
        for acks in [Acks.none, .leader] {
            var settings = ProducerSettings()
            settings.acks = acks
            let producer = try await KafkaProducer(configuration: broker.configuration, settings: settings)
            let results = try await whileRunning(producer) {
                await producer.send(contentsOf: (0..<100).map { ProducerRecord(topic: topic, value: ByteBuffer(string: "\($0)")) })
            }
            #expect(results.allSatisfy { (try? $0.get()) != nil })
        }
        #expect(try await consumeAll(topic, expecting: 200).count == 200)
    }
}
