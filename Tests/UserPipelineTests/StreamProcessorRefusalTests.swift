import Foundation
import Logging
import NIOCore
import Synchronization
import Testing

@testable import Kafka
@testable import UserPipeline
@testable import UserContract
@testable import UserSinks
@testable import Metering

/// A sink that refuses every user whose first name is "Refused", as a table constraint would,
/// and keeps the others.
final class RefusingSink: UserSink {
    struct Refused: Error, CustomStringConvertible {
        var id: String
        var description: String { "the table refused user \(id): CHECK constraint failed" }
    }

    private let users = Mutex<[String: User]>([:])
    var stored: [String: User] { users.withLock { $0 } }

    func upsert(_ batch: [User]) async throws {
        var refusals: [SinkRowsRefused.Refusal] = []
        users.withLock { users in
            for (index, user) in batch.enumerated() {
                if user.firstName == "Refused" {
                    refusals.append(SinkRowsRefused.Refusal(index: index, error: Refused(id: user.id)))
                } else {
                    users[user.id] = user
                }
            }
        }
        if !refusals.isEmpty { throw SinkRowsRefused(refusals) }
    }

    func count() async throws -> Int { stored.count }
    func query(limit: Int?) async throws -> [User] { Array(stored.values.prefix(limit ?? .max)) }
    func close() async throws {}
}

/// What the processor does with users the sink refused for themselves alone.
@Suite struct StreamProcessorRefusalTests {
    @Test("a refused user is dead-lettered as sink_rejected with the sink's message before the commit; the rest are stored and counted")
    func refusedUsersAreDeadLetteredBeforeTheCommit() async throws {
        let sink = RefusingSink()
        let dlq = FlakyDeadLetters(failures: 0)
        let export = PrometheusExport()
        let commits = Mutex<[[TopicPartition: Int64]]>([])
        let processor = StreamProcessor(
            sink: sink, deadLetters: dlq, dlqTopic: "users_created.dlq", maxBackoff: .milliseconds(10),
            metrics: PipelineMetrics(factory: export.factory), logger: Logger(label: "test"), commit: { offsets in
                #expect(dlq.kept.count == 2, "committed before every dead letter was accepted")
                commits.withLock { $0.append(offsets) }
            })
        let partition = TopicPartition(topic: "users_created", partition: 0)
        await processor.partitionsAssigned([partition: 0])
        var users = (0..<4).map(StreamProcessorTests.user)
        users[1].firstName = "Refused"
        var batch = users.enumerated().map { StreamProcessorRulesTests.record(Int64($0.offset), String(decoding: $0.element.jsonBytes(), as: UTF8.self)) }
        batch.append(StreamProcessorRulesTests.record(4, "not json"))

        let summary = try await processor.run([batch].asSequence)

        #expect((summary.consumed, summary.stored, summary.deadLettered, summary.writeRetries) == (5, 3, 2, 0))
        #expect(Set(sink.stored.keys) == Set([users[0], users[2], users[3]].map(\.id)))
        let letter = try #require(dlq.kept.first { $0.headers.contains { $0.key == "dlq.reason" && $0.value == ByteBuffer(string: "sink_rejected") } })
        let headers = Dictionary(letter.headers.map { ($0.key, $0.value.map { String(buffer: $0) } ?? "") }) { $1 }
        #expect(headers["dlq.message"] == "the table refused user \(users[1].id): CHECK constraint failed")
        #expect(headers["dlq.source.offset"] == "1")
        #expect(letter.value == batch[1].value)
        #expect(commits.withLock { $0 } == [[partition: 5]])
        let metrics = Set(String(decoding: export.text(), as: UTF8.self).split(separator: "\n").map(String.init))
        #expect(metrics.isSuperset(of: [
            "userstream_users_stored_total 3", #"userstream_records_dead_lettered_total{reason="sink_rejected"} 1"#,
            #"userstream_records_dead_lettered_total{reason="not_json"} 1"#,
        ]))
    }
}
