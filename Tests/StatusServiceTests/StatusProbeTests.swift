import Foundation
@testable import Kafka
import Testing
@testable import UserContract
@testable import UserSinks
@testable import StatusService

/// Offsets as a broker would report them.
struct ScriptedOffsets: PipelineOffsets {
    var earliest: [String: [Int32: Int64]] = [:]
    var latest: [String: [Int32: Int64]] = [:]
    var committed: [Int32: Int64] = [:]
    var unreachable = false

    func offsets(topic: String, _ spec: OffsetSpec) async throws -> [Int32: Int64] {
        if unreachable { throw KafkaError.noBrokerAnswered([], reason: "connection refused") }
        guard let offsets = (spec == .earliest ? earliest : latest)[topic] else { throw KafkaError.unknownTopic(topic) }
        return offsets
    }

    func committedOffsets(group: String, topic: String) async throws -> [Int32: Int64] { committed }
}

/// A sink holding a fixed number of rows, or failing.
struct CountingSink: UserSink {
    var rows: Int?
    func upsert(_ users: [User]) async throws {}
    func count() async throws -> Int {
        guard let rows else { throw SQLiteSinkError.openFailed(path: "test.db", detail: "disk I/O error") }
        return rows
    }
    func query(limit: Int?) async throws -> [User] { [] }
    func close() async throws {}
}

@Suite struct StatusProbeTests {
    let written = Date(timeIntervalSince1970: 1_700_000_000)

    func probe(_ offsets: ScriptedOffsets, rows: Int? = 7) -> StatusProbe {
        let written = written
        return StatusProbe(kafka: offsets, topic: "users", group: "g", dlqTopic: "users.dlq",
                           sink: SinkProbe(location: "sqlite:test.db", open: { CountingSink(rows: rows) }, lastWrite: { written }))
    }

    @Test func lagIsEndMinusCommittedOrMinusTheLogStartWhenNothingIsCommitted() async throws {
        let offsets = ScriptedOffsets(
            earliest: ["users": [0: 0, 1: 5, 2: 0], "users.dlq": [0: 2, 1: 0]],
            latest: ["users": [0: 10, 1: 20, 2: 4], "users.dlq": [0: 5, 1: 1]],
            committed: [0: 10, 2: 1])
        let status = try await probe(offsets).status()
        #expect(status.partitions == [
            .init(partition: 0, endOffset: 10, committedOffset: 10, lag: 0),
            .init(partition: 1, endOffset: 20, committedOffset: nil, lag: 15),
            .init(partition: 2, endOffset: 4, committedOffset: 1, lag: 3),
        ])
        #expect(status.totalLag == 18)
        #expect(status.endOffsetTotal == 34)
        #expect(status.committedTotal == 11)
        #expect(status.dlqSize == 4)
        #expect(status.sink == PipelineStatus.Sink(location: "sqlite:test.db", rows: 7, lastWrite: written))
    }

    @Test func aMissingDeadLetterTopicCountsAsEmpty() async throws {
        let status = try await probe(ScriptedOffsets(earliest: ["users": [0: 0]], latest: ["users": [0: 3]])).status()
        #expect(status.dlqSize == 0)
        #expect(status.totalLag == 3)
    }

    @Test func anUnreadableSinkIsReportedNotThrown() async throws {
        let status = try await probe(ScriptedOffsets(earliest: ["users": [0: 0]], latest: ["users": [0: 0]]), rows: nil).status()
        #expect(status.sink.rows == nil)
        #expect(status.sink.error?.contains("disk I/O error") == true)
        #expect(status.line.hasSuffix("rows=unknown"))
    }

    @Test func anUnreachableBrokerThrows() async {
        await #expect(throws: KafkaError.self) { try await probe(ScriptedOffsets(unreachable: true)).status() }
    }

    @Test func jsonUsesSnakeCaseKeysAndRoundTrips() throws {
        let status = PipelineStatus(time: written, topic: "users", group: "g",
                                    partitions: [.init(partition: 1, endOffset: 5, committedOffset: 2, lag: 3)],
                                    dlqTopic: "users.dlq", dlqSize: 1, sink: .init(location: "sqlite:x", rows: 2, lastWrite: nil))
        let data = try PipelineStatus.encoder.encode(status)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["total_lag"] as? Int == 3)
        #expect(object["dlq_size"] as? Int == 1)
        #expect(object["end_offset_total"] as? Int == 5)
        #expect(object["time"] as? String == "2023-11-14T22:13:20.000Z")
        let partition = try #require((object["partitions"] as? [[String: Any]])?.first)
        #expect(partition["committed_offset"] as? Int == 2)
        #expect(try PipelineStatus.decoder.decode(PipelineStatus.self, from: data) == status)
    }

    @Test func tableShowsEveryPartitionAndTheTotals() {
        let status = PipelineStatus(time: written, topic: "users", group: "g",
                                    partitions: [.init(partition: 0, endOffset: 5, committedOffset: nil, lag: 5)],
                                    dlqTopic: "users.dlq", dlqSize: 0, sink: .init(location: "sqlite:x", rows: 0, lastWrite: nil))
        let lines = status.table.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(lines.contains(["0", "5", "-", "5"]))
        #expect(lines.contains(["total", "5", "0", "5"]))
        #expect(status.line == "partitions=1 end_offsets=5 committed=0 lag=5 dlq=0 rows=0")
    }
}

@Suite struct HTTPAddressTests {
    @Test func parsesHostsPortsAndBracketedIPv6() throws {
        #expect(try HTTPAddress(parsing: "0.0.0.0:9300") == HTTPAddress(host: "0.0.0.0", port: 9300))
        #expect(try HTTPAddress(parsing: "9300") == HTTPAddress(host: "127.0.0.1", port: 9300))
        #expect(try HTTPAddress(parsing: ":0") == HTTPAddress(host: "127.0.0.1", port: 0))
        #expect(try HTTPAddress(parsing: "[::1]:80") == HTTPAddress(host: "::1", port: 80))
        #expect(HTTPAddress(host: "::1", port: 80).description == "[::1]:80")
    }

    @Test func rejectsWhatIsNotAnAddress() {
        for text in ["", "host:", "host:http", "::1:80", "1.2.3.4:70000", "[::1]"] {
            #expect(throws: HTTPAddress.ParseError.self) { try HTTPAddress(parsing: text) }
        }
    }
}

@Suite struct StatusHistoryTests {
    func sample(at seconds: Double) -> StatusSample {
        StatusSample(PipelineStatus(time: Date(timeIntervalSince1970: seconds), topic: "t", group: "g", partitions: [],
                                    dlqTopic: "t.dlq", dlqSize: 0, sink: .init(location: "sqlite:x", rows: 0, lastWrite: nil)))
    }

    @Test func keepsOnlyTheWindowBehindTheNewestSample() {
        var history = StatusHistory(window: .seconds(10))
        for seconds in [0.0, 4, 8, 12, 16] { history.append(sample(at: seconds)) }
        #expect(history.samples.map(\.time.timeIntervalSince1970) == [8, 12, 16])
    }
}
