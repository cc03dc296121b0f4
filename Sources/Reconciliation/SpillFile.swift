import Foundation
import GRDB
import UserContract

/// The working set of a reconciliation on disk: per id the position and fingerprint of its
/// latest valid record, the positions the dead-letter topic names, and per stored row its
/// fingerprint. SQLite joins them, so memory stays bounded by its page cache whatever the number
/// of ids. The file is removed as soon as it is open: nothing is left behind, even on `kill -9`.
final class SpillFile: Sendable {
    private let queue: DatabaseQueue

    /// A new spill file in `directory`.
    init(directory: String) throws(ReconciliationError) {
        let path = (directory as NSString).appendingPathComponent("userstream-verify-\(UUID().uuidString).sqlite")
        var configuration = Configuration()
        configuration.label = "userstream.verify.spill"
        configuration.prepareDatabase { db in
            // Scratch data: no journal, no syncs; a 32 MiB page cache bounds the memory it takes.
            try db.execute(sql: "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -32768")
        }
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try FileManager.default.removeItem(atPath: path)
            try queue.write { db in
                try db.execute(sql: """
                    CREATE TABLE latest (id TEXT PRIMARY KEY, partition INTEGER NOT NULL, offset INTEGER NOT NULL,
                                         timestamp INTEGER NOT NULL, fingerprint BLOB NOT NULL) WITHOUT ROWID;
                    CREATE TABLE dead (partition INTEGER NOT NULL, offset INTEGER NOT NULL, PRIMARY KEY (partition, offset)) WITHOUT ROWID;
                    CREATE TABLE stored (id TEXT PRIMARY KEY, fingerprint BLOB NOT NULL) WITHOUT ROWID;
                    """)
            }
        } catch {
            throw .spillFailed(directory: directory, detail: "\(error)")
        }
    }

    /// One valid record of the users topic.
    struct Record: Sendable {
        var id: String
        var partition: Int32
        var offset: Int64
        var timestamp: Int64
        var fingerprint: UserFingerprint
    }

    /// Keeps each id's latest record: in one partition the later offset (the order the stream
    /// applies them in); across partitions the later timestamp, then the higher partition.
    func add(records: [Record]) throws(ReconciliationError) {
        try write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT INTO latest (id, partition, offset, timestamp, fingerprint) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET partition = excluded.partition, offset = excluded.offset,
                    timestamp = excluded.timestamp, fingerprint = excluded.fingerprint
                WHERE (excluded.partition = latest.partition AND excluded.offset > latest.offset)
                   OR (excluded.partition <> latest.partition
                       AND (excluded.timestamp, excluded.partition) > (latest.timestamp, latest.partition))
                """)
            for record in records {
                try statement.execute(arguments: [record.id, record.partition, record.offset, record.timestamp, Data(record.fingerprint.bytes)])
            }
        }
    }

    /// Positions of the users topic that were dead-lettered.
    func add(deadLetters: [(partition: Int32, offset: Int64)]) throws(ReconciliationError) {
        try write { db in
            let statement = try db.cachedStatement(sql: "INSERT OR IGNORE INTO dead (partition, offset) VALUES (?, ?)")
            for position in deadLetters { try statement.execute(arguments: [position.partition, position.offset]) }
        }
    }

    /// Rows of the sink, already in the form the sink reads back.
    func add(stored users: [User]) throws(ReconciliationError) {
        try write { db in
            let statement = try db.cachedStatement(sql: "INSERT OR REPLACE INTO stored (id, fingerprint) VALUES (?, ?)")
            for user in users { try statement.execute(arguments: [user.id, Data(UserFingerprint(user).bytes)]) }
        }
    }

    /// Fills the counts and the first `examples` findings of each kind; extra rows only when `countExtra`.
    func compare(into report: inout ReconciliationReport, examples: Int, countExtra: Bool) throws(ReconciliationError) {
        let limit = max(0, examples)
        let notDead = "NOT EXISTS (SELECT 1 FROM dead d WHERE d.partition = l.partition AND d.offset = l.offset)"
        let missing = "FROM latest l WHERE \(notDead) AND NOT EXISTS (SELECT 1 FROM stored s WHERE s.id = l.id)"
        let different = "FROM latest l JOIN stored s ON s.id = l.id WHERE \(notDead) AND s.fingerprint <> l.fingerprint"
        let extra = "FROM stored s WHERE NOT EXISTS (SELECT 1 FROM latest l WHERE l.id = s.id)"
        let order = "ORDER BY l.partition, l.offset LIMIT \(limit)"
        do {
            try queue.read { db in
                report.ids = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM latest") ?? 0
                report.deadLettered = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dead") ?? 0
                report.stored = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM stored") ?? 0
                report.missing = try Int.fetchOne(db, sql: "SELECT COUNT(*) \(missing)") ?? 0
                report.firstMissing = try Row.fetchAll(db, sql: "SELECT l.id, l.partition, l.offset \(missing) \(order)").map {
                    ReconciliationReport.Finding(id: $0["id"], partition: $0["partition"], offset: $0["offset"])
                }
                report.different = try Int.fetchOne(db, sql: "SELECT COUNT(*) \(different)") ?? 0
                report.firstDifferent = try Row.fetchAll(db, sql: "SELECT l.id, l.partition, l.offset, l.fingerprint AS topic, s.fingerprint AS sink \(different) \(order)").map {
                    let fields = UserFingerprint(bytes: [UInt8]($0["topic"] as Data)).differingFields(from: UserFingerprint(bytes: [UInt8]($0["sink"] as Data)))
                    return ReconciliationReport.Finding(id: $0["id"], partition: $0["partition"], offset: $0["offset"], fields: fields)
                }
                if countExtra {
                    report.extra = try Int.fetchOne(db, sql: "SELECT COUNT(*) \(extra)") ?? 0
                    report.firstExtra = try String.fetchAll(db, sql: "SELECT s.id \(extra) ORDER BY s.id LIMIT \(limit)").map {
                        ReconciliationReport.Finding(id: $0)
                    }
                }
            }
        } catch {
            throw .spillFailed(directory: nil, detail: "\(error)")
        }
    }

    func close() {
        try? queue.close()
    }

    private func write(_ body: @escaping (Database) throws -> Void) throws(ReconciliationError) {
        do {
            try queue.write(body)
        } catch {
            throw .spillFailed(directory: nil, detail: "\(error)")
        }
    }
}
