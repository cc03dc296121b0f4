import Foundation
import GRDB
import Logging
import UserContract

/// Reads the users of an existing SQLite sink without changing anything: a reader must neither create a missing database (nor its directory) nor touch the files whose
/// modification time is the sink's last write.
final class SQLiteUserReader: StoredUserPages {
    let path: String
    private let queue: DatabaseQueue

    init(path: String) throws {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else { throw SQLiteSinkError.missing(path: path) }
        var configuration = Configuration()
        configuration.label = "userstream.sqlite.reader"
        configuration.readonly = true
        // A writer may hold the lock for a moment; wait rather than fail.
        configuration.busyMode = .timeout(10)
        do {
            queue = try DatabaseQueue(path: Self.location(of: path), configuration: configuration)
        } catch {
            throw SQLiteSinkError.unreadable(path: path, detail: Self.reason(error))
        }
    }

    func upsert(_ users: [User]) async throws {
        throw SQLiteSinkError.readOnly(path: path)
    }

    func count() async throws -> Int {
        try await read(SQLiteUserSink.storedCount)
    }

    /// Up to `limit` stored users, in insertion order.
    func query(limit: Int?) async throws -> [User] {
        try await read { db in try SQLiteUserSink.storedUsers(in: db, limit: limit) }
    }

    func close() async throws {
        try queue.close()
    }

    /// Pages in id order, each read on its own, so no read transaction is held for the whole scan.
    func forEachPage(size: Int, _ body: ([User]) async throws -> Void) async throws {
        var last: String?
        while true {
            let after = last ?? ""  // every id sorts after the empty text
            let page = try await read { db in try SQLiteUserSink.storedUsers(in: db, limit: max(1, size), after: after) }
            if page.isEmpty { return }
            try await body(page)
            last = page.last?.id
        }
    }

    var storedForm: StoredForm { .text }

    private func read<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        do {
            return try await queue.read(body)
        } catch let error as DatabaseError {
            throw SQLiteSinkError.unreadable(path: path, detail: Self.reason(error))
        }
    }

    /// Where SQLite opens `path`. A WAL database is read only where its -shm file exists or can be
    /// made; in a folder this user may not write (a sink another user writes) and with no -wal
    /// file, nothing lies outside the database file, so it is read as immutable.
    private static func location(of path: String) -> String {
        let files = FileManager.default
        let folder = (path as NSString).deletingLastPathComponent
        guard !files.fileExists(atPath: path + "-wal"), !files.fileExists(atPath: path + "-shm"),
              !files.isWritableFile(atPath: folder.isEmpty ? "." : folder) else { return path }
        let escaped = path.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "?", with: "%3f")
            .replacingOccurrences(of: "#", with: "%23")
        return "file:\(escaped)?immutable=1"
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? error.description }
        return (error as NSError).localizedDescription
    }
}

extension SinkLocation {
    /// Opens the sink for reading only: a SQLite database must exist and is never changed.
    public func openForReading(logger: Logger) async throws -> any StoredUserPages {
        switch self {
        case .sqlite(let path): try SQLiteUserReader(path: path)
        case .cassandra(let configuration): try await CassandraUserSink.connect(configuration, logger: logger)
        }
    }
}
