import Foundation
import Kafka
import KafkaTestSupport
import Logging
import NIOCore
import Synchronization
import ServiceScope
import Testing
@testable import UserPipeline
@testable import UserSinks

@Suite struct StreamRunnerTests {
    @Test func aRunnerStoresTheUsersDeadLettersTheRestAndCommitsAllOfIt() async throws {
        let broker = try TansuBroker.start()
        let topic = "users-\(UUID().uuidString.prefix(8))"
        let target = StreamTarget(topic: topic, deadLetterTopic: topic + ".dlq", group: topic)
        let admin = KafkaAdmin(configuration: broker.configuration)
        try await admin.createTopics([NewTopic(name: topic, partitions: 2), NewTopic(name: target.deadLetterTopic, partitions: 1)])
        let producer = try await KafkaProducer(configuration: broker.configuration)
        let users = (0..<20).map(StreamProcessorTests.user)
        var records = users.map { ProducerRecord(topic: topic, key: ByteBuffer(string: $0.id), value: ByteBuffer(bytes: $0.jsonBytes())) }
        records += ["not json", #"{"id": 1}"#].map { ProducerRecord(topic: topic, value: ByteBuffer(string: $0)) }
        for outcome in try await whileRunning(producer, { await producer.send(contentsOf: records) }) { _ = try outcome.get() }
        let ends = try await admin.offsets(topic: topic, .latest)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stream-runner-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let sink = SinkLocation.sqlite(path: folder + "/users.db")
        _ = try await sink.setUp(logger: Logger(label: "test"))
        let checkedBeforeJoining = Atomic(false)
        let runner = try await StreamRunner.start(kafka: broker.configuration, target: target, sink: sink,
                                                  session: (Duration.seconds(2), Duration.milliseconds(500)),
                                                  beforeJoining: { checkedBeforeJoining.store(true, ordering: .relaxed) })
        // The idle timeout ends the run, as `stream --until-idle` does, once every record was handled.
        let summary = try await runner.run(idleTimeout: .seconds(3))
        let rows = try await runner.store.count()
        await runner.close()

        let checked = checkedBeforeJoining.load(ordering: .relaxed)
        #expect(checked)
        #expect(summary.stored == 20 && summary.deadLettered == 2)
        #expect(rows == 20)
        #expect(try await admin.committedOffsets(group: topic, topic: topic) == ends)
        await admin.shutdown()
    }
}
