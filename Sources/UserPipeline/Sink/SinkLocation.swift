import Logging

// Interim: SQLite only, until the Cassandra sink lands.
public enum SinkLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)

    public init(parsing text: String) throws {
        guard text.hasPrefix("sqlite:") else { throw SQLiteUserSink.SinkError.openFailed(path: text, detail: "unknown sink") }
        self = .sqlite(path: String(text.dropFirst(7)))
    }

    public var description: String {
        switch self { case .sqlite(let path): "sqlite:\(path)" }
    }

    public func open(logger: Logger) async throws -> SQLiteUserSink {
        switch self { case .sqlite(let path): try SQLiteUserSink(path: path) }
    }

    public func setUp(logger: Logger) async throws -> String {
        switch self {
        case .sqlite(let path):
            _ = try SQLiteUserSink(path: path)
            return "table created_users ready in \(path)"
        }
    }
}
