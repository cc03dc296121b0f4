import CQL
import CQLTestSupport
import Foundation
import Kafka
import KafkaTestSupport
import NIOCore
import Testing
@testable import UserPipeline

/// `userstream stream` end to end: a real Tansu broker, the built binary, and `ScriptedCQLPeer`
/// (a scripted protocol peer, not Cassandra) standing where Cassandra would be.
@Suite("userstream stream into a scripted CQL peer")
struct StreamToCassandraTests {
    @Test("every record becomes an INSERT with its values, and offsets are committed only after the peer acknowledged")
    func streamCommitsAfterAcknowledgement() async throws {
        let broker = try TansuBroker.start()
        let topic = "users_created_cql_\(UInt32.random(in: 0...UInt32.max))", group = "cql-e2e-\(UInt32.random(in: 0...UInt32.max))"
        let admin = KafkaAdmin(configuration: broker.configuration)
        try await admin.createTopics([NewTopic(name: topic, partitions: 2, replicationFactor: 1),
                                      NewTopic(name: topic + ".dlq", partitions: 1, replicationFactor: 1)])
        let users = SampleUsers.make(30)
        let producer = try await KafkaProducer(configuration: broker.configuration)
        for user in users {
            _ = try await producer.send(topic: topic, key: ByteBuffer(string: user.id), value: ByteBuffer(bytes: user.jsonBytes()))
        }
        try await producer.flush()
        await producer.shutdown()

        let gate = ReplyGate()
        let peer = try await ScriptedCQLPeer.start(script: UsersTable.script(execute: UsersTable.acknowledge(when: gate)))
        defer { Task { await peer.stop() } }
        let stream = try UserstreamProcess.start([
            "stream", "--bootstrap-servers", broker.address.description, "--topic", topic, "--group", group,
            "--dlq-topic", topic + ".dlq", "--until-idle", "3", "--sink", "cassandra://127.0.0.1:\(peer.port)/spark_streams",
        ])

        // Writes are in flight and none acknowledged: nothing may be committed yet.
        await peer.waitUntil { $0.contains { $0.opcode == .execute } }
        #expect(try await admin.committedOffsets(group: group, topic: topic).isEmpty)
        gate.open()

        let status = await stream.exit()
        #expect(status == 0, "userstream stream exited with \(status): \(stream.standardError)")
        let executed = Set(UsersTable.executedRows(peer).map { row in User.CodingKeys.allCases.map { row[$0.rawValue].flatMap { $0 } ?? [] } })
        let expected = Set(users.map { user in
            User.CodingKeys.allCases.map { $0 == .id ? SampleUsers.uuidBytes(user.id) : Array(user[$0].utf8) }
        })
        #expect(executed == expected)
        let lag = try await admin.groupLag(group: group, topic: topic)
        #expect(lag.reduce(0) { $0 + $1.endOffset } == Int64(users.count))
        #expect(lag.allSatisfy { $0.committedOffset == $0.endOffset })
        await admin.shutdown()
    }
}
