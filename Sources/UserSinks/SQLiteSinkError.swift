import GRDBSQLite

/// Why a SQLite sink could not be opened, read or written.
public enum SQLiteSinkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Reading a sink that was never created.
    case missing(path: String)
    /// The file exists but cannot be read as a database.
    case unreadable(path: String, detail: String)
    /// The database could only be opened for reading.
    case readOnly(path: String)
    case directoryNotWritable(path: String, directory: String, detail: String)
    case openFailed(path: String, detail: String)
    /// The database file was deleted or replaced while open: writes go to a file nobody
    /// will ever read again, so the stream must stop instead of committing past them.
    case databaseGone(path: String, detail: String)
    /// SQLite refused one user's row for that row alone (a CHECK, NOT NULL or UNIQUE constraint, a
    /// trigger's RAISE(ABORT), a value too big); the other rows of the write were stored.
    case rowRefused(path: String, userID: String, detail: String)

    public var description: String {
        switch self {
        case .missing(let path):
            "no sink yet: there is no SQLite database at \(path)"
        case .unreadable(let path, let detail):
            "cannot read SQLite database \(path): \(detail) — is it a SQLite file written by userstream?"
        case .readOnly(let path):
            "SQLite database \(path) is opened for reading only"
        case .directoryNotWritable(let path, let directory, let detail):
            "cannot create SQLite database \(path): directory \(directory) is not writable (\(detail))"
        case .openFailed(let path, let detail):
            "cannot open SQLite database \(path): \(detail) — is it a SQLite file, and is it writable?"
        case .databaseGone(let path, let detail):
            "SQLite database \(path) \(detail) while in use; users written since are not in any database and their offsets were not committed — restore the directory and restart"
        case .rowRefused(let path, let userID, let detail):
            "SQLite database \(path) refused user \(userID): \(detail)"
        }
    }

    /// Whether a failed INSERT's result code (primary or extended) concerns that row alone:
    /// a constraint, a value too big, a type a STRICT column refuses. Any other failure (a missing
    /// table, a read-only or full disk, a lock) would refuse every row.
    public static func refusesTheRowAlone(resultCode: Int32) -> Bool {
        [SQLITE_CONSTRAINT, SQLITE_TOOBIG, SQLITE_MISMATCH].contains(resultCode & 0xFF)
    }
}

extension SQLiteSinkError: UnrecoverableSinkError {}
