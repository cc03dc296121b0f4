import Foundation
import Testing
@testable import Reconciliation
import UserContract

/// The comparison itself, on hand-made topics, dead letters and sinks in the temporary file.
@Suite("Reconciliation's comparison")
struct SpillFileTests {
    static func user(_ number: Int, email: String? = nil) -> User {
        User(id: String(format: "00000000-0000-4000-8000-%012d", number), firstName: "First\(number)", lastName: "Last", gender: "female",
             address: "1 Main Street", postCode: "97000", email: email ?? "user\(number)@example.com", username: "user\(number)",
             dob: "1990-05-01T12:00:00.000Z", registeredDate: "2001-09-09T01:46:40.000Z", phone: "555", picture: "https://example.com/p.jpg")
    }

    static func record(_ user: User, partition: Int32 = 0, offset: Int64, timestamp: Int64 = 0) -> SpillFile.Record {
        SpillFile.Record(id: user.id, partition: partition, offset: offset, timestamp: timestamp, fingerprint: UserFingerprint(user))
    }

    static func compare(records: [SpillFile.Record], dead: [(Int32, Int64)] = [], stored: [User],
                        examples: Int = 10, countExtra: Bool = false) throws -> ReconciliationReport {
        let spill = try SpillFile(directory: NSTemporaryDirectory())
        defer { spill.close() }
        try spill.add(records: records)
        try spill.add(deadLetters: dead.map { (partition: $0.0, offset: $0.1) })
        try spill.add(stored: stored)
        var report = ReconciliationReport(topic: "t", deadLetterTopic: "t.dlq", sink: "s", partitions: [])
        try spill.compare(into: &report, examples: examples, countExtra: countExtra)
        return report
    }

    @Test("a sink holding each id's latest record is consistent")
    func consistent() throws {
        let users = (1...3).map { Self.user($0) }
        let report = try Self.compare(records: users.enumerated().map { Self.record($1, offset: Int64($0)) }, stored: users)
        #expect(report.isConsistent)
        #expect((report.ids, report.stored, report.missing, report.different) == (3, 3, 0, 0))
    }

    @Test("an id with no row is missing, named with its partition and offset")
    func missing() throws {
        let users = (1...3).map { Self.user($0) }
        let report = try Self.compare(records: users.enumerated().map { Self.record($1, partition: 2, offset: Int64($0)) }, stored: [users[0], users[2]])
        #expect(report.missing == 1)
        #expect(report.firstMissing == [.init(id: users[1].id, partition: 2, offset: 1)])
        #expect(!report.isConsistent)
    }

    @Test("a row older than the id's latest record is different, naming the fields")
    func stale() throws {
        let old = Self.user(1)
        let new = Self.user(1, email: "new@example.com")
        let report = try Self.compare(records: [Self.record(old, offset: 0), Self.record(new, offset: 5)], stored: [old])
        #expect(report.different == 1)
        #expect(report.firstDifferent == [.init(id: old.id, partition: 0, offset: 5, fields: ["email"])])
        #expect(report.ids == 1)
    }

    @Test("the later offset wins in a partition, whatever the timestamps; the later time across partitions")
    func latest() throws {
        let first = Self.user(1)
        let second = Self.user(1, email: "second@example.com")
        let inPartition = try Self.compare(records: [Self.record(second, offset: 1, timestamp: 100), Self.record(first, offset: 0, timestamp: 200)], stored: [second])
        #expect(inPartition.isConsistent)
        let across = try Self.compare(records: [Self.record(second, partition: 0, offset: 9, timestamp: 100),
                                                Self.record(first, partition: 1, offset: 0, timestamp: 200)], stored: [first])
        #expect(across.isConsistent)
    }

    @Test("a latest record that was dead-lettered is neither missing nor different")
    func deadLettered() throws {
        let users = (1...2).map { Self.user($0) }
        let report = try Self.compare(records: [Self.record(users[0], offset: 0), Self.record(users[1], offset: 1)], dead: [(0, 1), (0, 7)], stored: [users[0]])
        #expect(report.isConsistent)
        #expect(report.deadLettered == 2)
    }

    @Test("rows the topic never held are extra only when the topic is expected complete")
    func extra() throws {
        let users = (1...2).map { Self.user($0) }
        let lenient = try Self.compare(records: [Self.record(users[0], offset: 0)], stored: users)
        #expect(lenient.isConsistent && lenient.extra == nil)
        let strict = try Self.compare(records: [Self.record(users[0], offset: 0)], stored: users, countExtra: true)
        #expect(strict.extra == 1)
        #expect(strict.firstExtra == [.init(id: users[1].id)])
        #expect(!strict.isConsistent)
    }

    @Test("--show bounds the ids named, not the counts")
    func examples() throws {
        let users = (1...5).map { Self.user($0) }
        let report = try Self.compare(records: users.enumerated().map { Self.record($1, offset: Int64($0)) }, stored: [], examples: 2)
        #expect(report.missing == 5)
        #expect(report.firstMissing.map(\.offset) == [0, 1])
    }

    @Test("the summary line")
    func summary() {
        var report = ReconciliationReport(topic: "t", deadLetterTopic: "t.dlq", sink: "s", partitions: [])
        report.records = 4
        #expect(report.summary == "records=4 ids=0 dead_lettered=0 stored=0 missing=0 different=0")
        report.extra = 0
        #expect(report.summary.hasSuffix(" different=0 extra=0"))
    }
}
