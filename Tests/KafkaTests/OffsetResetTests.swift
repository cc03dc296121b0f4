@testable import Kafka
import Testing

@Suite struct OffsetResetTests {
    let partition = TopicPartition(topic: "users_created", partition: 1)

    @Test("earliest: a position past the end reads the log again; one before the start skips what is gone")
    func earliest() throws {
        let pastEnd = try #require(OffsetReset.decide(.earliest, partition: partition, position: 1000, logStart: 0, logEnd: 5))
        #expect((pastEnd.to, pastEnd.skipped, pastEnd.readAgain) == (0, 0, 5))
        #expect(pastEnd.description == "users_created-1: offset 1000 is past the log's end (log 0..<5); moved to 0 — 0 offsets skipped, 5 records read again")
        let beforeStart = try #require(OffsetReset.decide(.earliest, partition: partition, position: 10, logStart: 40, logEnd: 100))
        #expect((beforeStart.to, beforeStart.skipped, beforeStart.readAgain) == (40, 30, 0))
    }

    @Test("latest: a position before the start skips to the end; one past the end goes back to it reading nothing twice")
    func latest() throws {
        let beforeStart = try #require(OffsetReset.decide(.latest, partition: partition, position: 10, logStart: 40, logEnd: 100))
        #expect((beforeStart.to, beforeStart.skipped, beforeStart.readAgain) == (100, 90, 0))
        let pastEnd = try #require(OffsetReset.decide(.latest, partition: partition, position: 1000, logStart: 0, logEnd: 5))
        #expect((pastEnd.to, pastEnd.skipped, pastEnd.readAgain) == (5, 0, 0))
    }

    @Test("fail moves nothing")
    func fail() {
        #expect(OffsetReset.decide(.fail, partition: partition, position: 1000, logStart: 0, logEnd: 5) == nil)
        #expect(OffsetResetPolicy(rawValue: "fail") == .fail && OffsetResetPolicy(rawValue: "none") == nil)
    }
}
