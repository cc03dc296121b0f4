import Foundation
import GRDB
import GRDBSQLite
import UserContract

/// Users in a SQLite database (table `created_users`), through GRDB in WAL mode.
final class SQLiteUserSink: UserSink {
    /// The database file.
    let path: String
    private let pool: DatabasePool
    /// The file as opened, to notice it being deleted or replaced.
    private let identity: FileIdentity

    static let columns = User.fieldNames

    /// SQLITE_TRANSIENT: SQLite copies bound text before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static let upsertSQL: String = {
        let names = columns.joined(separator: ", ")
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        let updates = columns.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        return "INSERT INTO created_users (\(names)) VALUES (\(placeholders)) ON CONFLICT(id) DO UPDATE SET \(updates)"
    }()

    /// Opens (creating if needed) the database at `path`, its directory, and the table.
    init(path: String) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        let folder = directory.isEmpty ? "." : directory
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw SQLiteSinkError.directoryNotWritable(path: path, directory: folder, detail: Self.reason(error))
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw SQLiteSinkError.directoryNotWritable(path: path, directory: folder, detail: "permission denied")
        }
        var configuration = Configuration()
        configuration.label = "userstream.sqlite"
        // Other processes (`status`, `query`) open the same file; wait for their locks instead of failing.
        configuration.busyMode = .timeout(10)
        let differences: [String]
        do {
            pool = try DatabasePool(path: path, configuration: configuration)  // DatabasePool uses WAL mode
            // The pool opens WAL with synchronous=NORMAL, where a power cut can undo the last
            // transactions. Offsets are committed once a write returns, so a write must outlive
            // that too: FULL syncs the WAL at every commit.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            try pool.write { db in
                let columns = Self.columns.dropFirst().map { "\($0) TEXT NOT NULL" }.joined(separator: ", ")
                try db.execute(sql: "CREATE TABLE IF NOT EXISTS created_users (id TEXT PRIMARY KEY NOT NULL, \(columns))")
            }
            differences = try Self.tableShape(pool).differences(from: Self.columns)
        } catch {
            throw SQLiteSinkError.openFailed(path: path, detail: Self.reason(error))
        }
        guard differences.isEmpty else {
            try? pool.close()
            throw SinkTableMismatch(table: "created_users in \(path)", differences: differences)
        }
        guard let identity = FileIdentity(path: path) else {
            throw SQLiteSinkError.databaseGone(path: path, detail: "disappeared right after it was opened")
        }
        self.identity = identity
    }

    /// The columns of `created_users` as SQLite describes them.
    private static func tableShape(_ pool: DatabasePool) throws -> SinkTableShape {
        let rows = try pool.read { db in try Row.fetchAll(db, sql: "PRAGMA table_info(created_users)") }
        return SinkTableShape(columns: rows.map { row in
            let required: Bool = row["notnull"] == 1 && (row["dflt_value"] as DatabaseValue).isNull
            return SinkTableShape.Column(name: row["name"], isKey: (row["pk"] as Int) > 0, isRequired: required)
        })
    }

    /// Throws unless the path still names the file that was opened. SQLite keeps writing to a
    /// deleted file through its open descriptor, and every write "succeeds".
    func checkStillInPlace() throws(SQLiteSinkError) {
        guard let current = FileIdentity(path: path) else { throw .databaseGone(path: path, detail: "was deleted") }
        guard current == identity else { throw .databaseGone(path: path, detail: "was replaced by another file") }
    }

    func upsert(_ users: [User]) async throws {
        guard !users.isEmpty else { return }
        let refused = try await pool.write { db in
            // Binds the text straight into SQLite: GRDB's general argument path costs more than
            // the insert itself at these row rates.
            let statement = try db.cachedStatement(sql: Self.upsertSQL).sqliteStatement
            defer { sqlite3_reset(statement) }
            var refused: [SinkRowsRefused.Refusal] = []
            for (position, user) in users.enumerated() {
                sqlite3_reset(statement)
                var code = SQLITE_OK
                for (index, field) in User.CodingKeys.allCases.enumerated() where code == SQLITE_OK {
                    var text = user[field]
                    code = text.withUTF8 { bytes in
                        sqlite3_bind_text(statement, Int32(index + 1), bytes.baseAddress, Int32(bytes.count), Self.transient)
                    }
                }
                if code == SQLITE_OK { code = sqlite3_step(statement) }
                if code == SQLITE_DONE { continue }
                let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
                // A refused row undoes its own statement only: the transaction and the rows before
                // it stay, unless SQLite rolled the transaction back, which nothing here may go on from.
                guard SQLiteSinkError.refusesTheRowAlone(resultCode: code), sqlite3_get_autocommit(db.sqliteConnection) == 0 else {
                    throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
                }
                let refusal = SQLiteSinkError.rowRefused(path: self.path, userID: user.id, detail: message)
                refused.append(SinkRowsRefused.Refusal(index: position, error: refusal))
            }
            return refused
        }
        // Checked after the write, so a deletion before or during it is seen before its offsets are committed.
        try checkStillInPlace()
        if !refused.isEmpty { throw SinkRowsRefused(refused) }
    }

    /// The writer's `PRAGMA synchronous` (2 = FULL).
    func writerSynchronousMode() async throws -> Int {
        try await pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    func count() async throws -> Int {
        try await pool.read(Self.storedCount)
    }

    /// Up to `limit` stored users, in insertion order.
    func query(limit: Int? = nil) async throws -> [User] {
        try await pool.read { db in try Self.storedUsers(in: db, limit: limit) }
    }

    /// The reads the sink and its read-only reader share.
    static func storedCount(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM created_users") ?? 0
    }

    /// Up to `limit` users in insertion order or, given `id`, those after it in id order (pages by key).
    static func storedUsers(in db: Database, limit: Int?, after id: String? = nil) throws -> [User] {
        let names = columns.joined(separator: ", ")
        let limitClause = limit.map { " LIMIT \(max(0, $0))" } ?? ""
        let order = id == nil ? "ORDER BY rowid" : "WHERE id > ? ORDER BY id"
        let query = try db.makeStatement(sql: "SELECT \(names) FROM created_users \(order)\(limitClause)")
        let statement = query.sqliteStatement  // alive as long as `query`, which finalizes it
        defer { withExtendedLifetime(query) { _ = sqlite3_reset(statement) } }
        if var id {
            id.withUTF8 { bytes in _ = sqlite3_bind_text(statement, 1, bytes.baseAddress, Int32(bytes.count), transient) }
        }
        // Each text by its byte count: GRDB's rows read text up to its first NUL, and a stored
        // "Nul\u{0}Byte" must come back whole.
        func text(_ column: Int32) -> String {
            guard let bytes = sqlite3_column_text(statement, column) else { return "" }
            return String(decoding: UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(statement, column))), as: UTF8.self)
        }
        var users: [User] = []
        while true {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { return users }
            guard code == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
            }
            users.append(User(
                id: text(0), firstName: text(1), lastName: text(2), gender: text(3), address: text(4), postCode: text(5),
                email: text(6), username: text(7), dob: text(8), registeredDate: text(9), phone: text(10), picture: text(11)
            ))
        }
    }

    func close() async throws {
        try pool.close()
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? error.description }
        return (error as NSError).localizedDescription
    }
}
