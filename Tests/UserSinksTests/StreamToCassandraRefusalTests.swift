import CQL
import CQLTestSupport
import Foundation
import Kafka
import KafkaTestSupport
import NIOCore
import ServiceScope
import Testing
import UserContract

/// `userstream stream` when Cassandra refuses writes: a real Tansu broker, the built binary, and
/// `ScriptedCQLPeer` (a scripted protocol peer, not Cassandra) standing where Cassandra would be.
// Bounded: a refused write once stalled the stream in retries, which must fail the test, not hang it.
@Suite("userstream stream into a scripted CQL peer that refuses writes", .timeLimit(.minutes(2)))
struct StreamToCassandraRefusalTests {
    /// A fresh users topic (2 partitions) and its dead-letter topic holding `users`; the topic, its group and an admin.
    static func topicHolding(_ users: [User], on broker: TansuBroker, _ body: (String, String, KafkaAdmin) async throws -> Void) async throws {
        let suffix = UInt32.random(in: 0...UInt32.max)
        let topic = "users_created_refused_\(suffix)", group = "cql-refused-\(suffix)"
        try await KafkaAdmin.withAdmin(configuration: broker.configuration) { admin in
            try await admin.createTopics([NewTopic(name: topic, partitions: 2, replicationFactor: 1),
                                          NewTopic(name: topic + ".dlq", partitions: 1, replicationFactor: 1)])
            let producer = try await KafkaProducer(configuration: broker.configuration)
            try await whileRunning(producer) {
                for outcome in await producer.send(contentsOf: users.map {
                    ProducerRecord(topic: topic, key: ByteBuffer(string: $0.id), value: ByteBuffer(bytes: $0.jsonBytes()))
                }) { _ = try outcome.get() }
            }
            try await body(topic, group, admin)
        }
    }

    /// Every record of `topic`'s partition 0, read until `count` arrived.
    static func records(_ topic: String, count: Int, broker: TansuBroker) async throws -> [ConsumerRecord] {
        let consumer = try await PartitionConsumer(configuration: broker.configuration)
        try await consumer.assign([TopicPartition(topic: topic, partition: 0)], from: .earliest)
        var records: [ConsumerRecord] = []
        for try await batch in consumer.batches(idleTimeout: .seconds(60)) {
            records += batch
            if records.count >= count { break }
        }
        await consumer.shutdown()
        return records
    }

    @Test("a user the peer answers with Invalid goes to the DLQ as sink_rejected with the server's message; the others are written and everything is committed")
    func invalidRowDeadLettered() async throws {
        let broker = try TansuBroker.start()
        let users = SampleUsers.make(20)
        let refused = users[5]
        try await Self.topicHolding(users, on: broker) { topic, group, admin in
            let peer = try await ScriptedCQLPeer.start(script: UsersTable.script(execute: { request in
                request.values.first == SampleUsers.uuidBytes(refused.id)
                    ? .error(CQLServerError(code: .invalid, message: "Guardrail column_value_size violated")) : .void
            }))
            try await withPeer(peer) { peer in
                let stream = try UserstreamProcess.start(StreamToCassandraTests.streamArguments(broker: broker, topic: topic, group: group, peer: peer))
                // Stopped once the dead letter is in; --until-idle only ends a run that stalls short of that.
                let letters = try await Self.records(topic + ".dlq", count: 1, broker: broker)
                await peer.waitUntil { $0.filter { $0.opcode == .execute }.count >= users.count }
                stream.stop()
                let status = await stream.exit()
                #expect(status == 0, "userstream stream exited with \(status): \(stream.standardError)")

                #expect(UsersTable.executedCells(peer).count == users.count, "a refused row was retried")
                let letter = try #require(letters.first)
                let headers = Dictionary(letter.headers.map { ($0.key, $0.value.map { String(buffer: $0) } ?? "") }) { $1 }
                #expect(letter.key.map { String(buffer: $0) } == refused.id)
                #expect(headers["dlq.reason"] == "sink_rejected")
                #expect(headers["dlq.message"]?.contains("refused user \(refused.id): invalid query (0x2200): Guardrail column_value_size violated") == true,
                        "\(headers)")
                #expect(headers["dlq.source.topic"] == topic)
                let lag = try await admin.groupLag(group: group, topic: topic)
                #expect(lag.reduce(0) { $0 + $1.endOffset } == Int64(users.count))
                #expect(lag.allSatisfy { $0.committedOffset == $0.endOffset }, "\(lag)")
            }
        }
    }

    @Test("an Unauthorized write stops the stream with the server's message and commits nothing")
    func unauthorizedStops() async throws {
        let broker = try TansuBroker.start()
        try await Self.topicHolding(SampleUsers.make(10), on: broker) { topic, group, admin in
            let peer = try await ScriptedCQLPeer.start(script: UsersTable.script(execute: { _ in
                .error(CQLServerError(code: .unauthorized, message: "User writer has no MODIFY permission on <table spark_streams.created_users>"))
            }))
            try await withPeer(peer) { peer in
                let stream = try UserstreamProcess.start(StreamToCassandraTests.streamArguments(broker: broker, topic: topic, group: group, peer: peer))
                let status = await stream.exit()
                #expect(status == 1, "userstream stream exited with \(status): \(stream.standardError)")
                #expect(stream.standardError.contains("has no MODIFY permission"), "\(stream.standardError)")
                #expect(try await admin.committedOffsets(group: group, topic: topic).isEmpty)
                let dlqEnd = try await admin.offsets(topic: topic + ".dlq", .latest)
                #expect(dlqEnd.values.allSatisfy { $0 == 0 }, "\(dlqEnd)")
            }
        }
    }
}
