import CQL
import CQLTestSupport
import Foundation
import Kafka
import KafkaTestSupport
import NIOCore
import ServiceScope
import Testing

/// `userstream stream` end to end: a real Tansu broker, the built binary, and `ScriptedCQLPeer`
/// (a scripted protocol peer, not Cassandra) standing where Cassandra would be.
@Suite("userstream stream into a scripted CQL peer")
struct StreamToCassandraTests {
    static func streamArguments(broker: TansuBroker, topic: String, group: String, peer: ScriptedCQLPeer) -> [String] {
        ["stream", "--bootstrap-servers", broker.address.description, "--topic", topic, "--group", group,
         "--dlq-topic", topic + ".dlq", "--until-idle", "60", "--sink", "cassandra://127.0.0.1:\(peer.port)/spark_streams"]
    }

    @Test("every record becomes an INSERT with its values; offsets are committed only after the peer acknowledged, so a crash before that redelivers everything")
    func commitsOnlyAfterAcknowledgement() async throws {
        let broker = try TansuBroker.start()
        let suffix = UInt32.random(in: 0...UInt32.max)
        let topic = "users_created_cql_\(suffix)", group = "cql-e2e-\(suffix)"
        try await KafkaAdmin.withAdmin(configuration: broker.configuration) { admin in
            try await admin.createTopics([NewTopic(name: topic, partitions: 2, replicationFactor: 1),
                                          NewTopic(name: topic + ".dlq", partitions: 1, replicationFactor: 1)])
            let users = SampleUsers.make(30)
            let producer = try await KafkaProducer(configuration: broker.configuration)
            try await whileRunning(producer) {
                for user in users {
                    _ = try await producer.send(topic: topic, key: ByteBuffer(string: user.id), value: ByteBuffer(bytes: user.jsonBytes()))
                }
            }

            // First run: the peer receives writes but never acknowledges them; the process dies meanwhile.
            let silent = try await ScriptedCQLPeer.start(script: UsersTable.script(execute: UsersTable.acknowledge(when: ReplyGate())))
            try await withPeer(silent) { silent in
                let crashed = try UserstreamProcess.start(Self.streamArguments(broker: broker, topic: topic, group: group, peer: silent))
                await silent.waitUntil { $0.contains { $0.opcode == .execute } }
                #expect(try await admin.committedOffsets(group: group, topic: topic).isEmpty)
                crashed.crash()
                _ = await crashed.exit()
                #expect(try await admin.committedOffsets(group: group, topic: topic).isEmpty, "offsets were committed for unacknowledged writes")
                #expect(Set(UsersTable.executedCells(silent)).subtracting(UsersTable.allTextCells(users)).isEmpty, "writes with values no record had")

                // Second run: the peer acknowledges; every user is written again and the offsets reach the end.
                let peer = try await ScriptedCQLPeer.start(script: UsersTable.script())
                try await withPeer(peer) { peer in
                    let stream = try UserstreamProcess.start(Self.streamArguments(broker: broker, topic: topic, group: group, peer: peer))
                    // Stopped once every user was written; --until-idle only ends a run that stalls short of that.
                    Task {
                        await peer.waitUntil { $0.filter { $0.opcode == .execute }.count >= users.count }
                        stream.stop()
                    }
                    let status = await stream.exit()
                    #expect(status == 0, "userstream stream exited with \(status): \(stream.standardError)")
                    let written = Set(UsersTable.executedCells(peer)), expected = UsersTable.allTextCells(users)
                    #expect(expected.subtracting(written).count == 0, "users not written after the restart")
                    #expect(written.subtracting(expected).count == 0, "writes with values no record had")
                    let lag = try await admin.groupLag(group: group, topic: topic)
                    #expect(lag.reduce(0) { $0 + $1.endOffset } == Int64(users.count))
                    #expect(lag.allSatisfy { $0.committedOffset == $0.endOffset })
                }
            }
        }
    }
}
