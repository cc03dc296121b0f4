import Foundation
import GRDB
import Testing
@testable import UserContract
@testable import UserSinks

/// Rows a real SQLite table refuses for themselves alone are reported, and the rest of the write is
/// stored once; failures that concern every row are thrown as before.
@Suite struct SQLiteRowRefusalTests {
    /// The sink's table with `rule` added, and how a user is made to break it.
    enum Rule: String, CaseIterable, Sendable {
        case check, uniqueEmail, triggerAbort

        var statements: [String] {
            let columns = SQLiteUserSink.columns.dropFirst().map { "\($0) TEXT NOT NULL" }.joined(separator: ", ")
            let table = "CREATE TABLE created_users (id TEXT PRIMARY KEY NOT NULL, \(columns)"
            switch self {
            case .check: return [table + ", CHECK(length(email) < 40))"]
            case .uniqueEmail: return [table + ")", "CREATE UNIQUE INDEX one_user_per_email ON created_users (email)"]
            case .triggerAbort:
                return [table + ")", "CREATE TRIGGER refuse BEFORE INSERT ON created_users WHEN NEW.last_name = 'Refused' "
                        + "BEGIN SELECT RAISE(ABORT, 'last name refused by policy'); END"]
            }
        }

        func broken(_ user: User, first: User) -> User {
            var user = user
            switch self {
            case .check: user.email = "a.mailbox.name.far.too.long.\(user.username)@example.com"
            case .uniqueEmail: user.email = first.email
            case .triggerAbort: user.lastName = "Refused"
            }
            return user
        }

        var message: String {
            switch self {
            case .check: "CHECK constraint failed"
            case .uniqueEmail: "UNIQUE constraint failed: created_users.email"
            case .triggerAbort: "last name refused by policy"
            }
        }
    }

    /// A database at a new path whose table was created by `statements`.
    func database(_ statements: [String]) throws -> String {
        let path = SQLiteUserSinkTests().temporaryPath()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in for statement in statements { try db.execute(sql: statement) } }
        try queue.close()
        return path
    }

    @Test("users a table rule refuses are reported with SQLite's message; the others are stored once", arguments: Rule.allCases)
    func refusedRowsAreReportedAndTheRestStored(_ rule: Rule) async throws {
        let sink = try SQLiteUserSink(path: try database(rule.statements))
        var batch = try SQLiteUserSinkTests().users(10)
        for index in [2, 7] { batch[index] = rule.broken(batch[index], first: batch[0]) }

        for _ in 0..<2 {  // a redelivered batch is refused the same way and adds no row
            let refused = await #expect(throws: SinkRowsRefused.self) { try await sink.upsert(batch) }
            #expect(refused?.refusals.map(\.index) == [2, 7])
            for refusal in refused?.refusals ?? [] {
                guard case .rowRefused(_, let userID, let detail)? = refusal.error as? SQLiteSinkError else {
                    Issue.record("not a row refusal: \(refusal.error)")
                    continue
                }
                #expect(userID == batch[refusal.index].id)
                #expect(detail.contains(rule.message), "\(detail)")
                #expect(refusal.message.contains(batch[refusal.index].id))
            }
        }
        let stored = try await sink.query()
        #expect(stored.map(\.id) == batch.indices.filter { ![2, 7].contains($0) }.map { batch[$0].id })
        try await sink.close()
    }

    @Test("a table dropped under the sink fails the whole write, not a row")
    func droppedTableIsNoRowRefusal() async throws {
        let path = SQLiteUserSinkTests().temporaryPath()
        let sink = try SQLiteUserSink(path: path)
        let other = try DatabaseQueue(path: path)
        try await other.write { db in try db.execute(sql: "DROP TABLE created_users") }
        try other.close()
        do {
            try await sink.upsert(try SQLiteUserSinkTests().users(3))
            Issue.record("a write into a dropped table succeeded")
        } catch {
            #expect(!(error is SinkRowsRefused), "\(error)")
            #expect("\(error)".contains("no such table"))
        }
        try await sink.close()
    }

    @Test("a trigger that rolls the transaction back fails the whole write and keeps none of its rows")
    func rolledBackTransactionIsNoRowRefusal() async throws {
        let columns = SQLiteUserSink.columns.dropFirst().map { "\($0) TEXT NOT NULL" }.joined(separator: ", ")
        let sink = try SQLiteUserSink(path: try database([
            "CREATE TABLE created_users (id TEXT PRIMARY KEY NOT NULL, \(columns))",
            "CREATE TRIGGER roll_back BEFORE INSERT ON created_users WHEN NEW.last_name = 'Refused' "
                + "BEGIN SELECT RAISE(ROLLBACK, 'the whole write is refused'); END",
        ]))
        var batch = try SQLiteUserSinkTests().users(5)
        batch[2].lastName = "Refused"
        do {
            try await sink.upsert(batch)
            Issue.record("the write succeeded")
        } catch {
            #expect(!(error is SinkRowsRefused), "\(error)")
        }
        #expect(try await sink.count() == 0)
        try await sink.close()
    }

    @Test("result codes: constraints, too big and type mismatches concern the row; the rest every row")
    func resultCodes() {
        // SQLITE_CONSTRAINT 19 and its extended CHECK 275, UNIQUE 2067, TRIGGER 1811, NOTNULL 1299; TOOBIG 18; MISMATCH 20.
        for code: Int32 in [19, 275, 2067, 1811, 1299, 18, 20] { #expect(SQLiteSinkError.refusesTheRowAlone(resultCode: code), "\(code)") }
        // ERROR 1 (no such table), BUSY 5, LOCKED 6, READONLY 8, IOERR 10, CORRUPT 11, FULL 13, CANTOPEN 14, AUTH 23.
        for code: Int32 in [1, 5, 6, 8, 10, 11, 13, 14, 23] { #expect(!SQLiteSinkError.refusesTheRowAlone(resultCode: code), "\(code)") }
    }
}
