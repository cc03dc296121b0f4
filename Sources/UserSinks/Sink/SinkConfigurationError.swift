/// Why a `--sink` value or a sink option cannot be used. Messages never contain a password.
public enum SinkConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text names no known kind of sink.
    case unknownSink(String)
    /// `sqlite:` without a path.
    case missingSQLitePath
    /// A cassandra:// URL that cannot be parsed (URL shown redacted).
    case invalidCassandraURL(String, String)
    /// A keyspace name Cassandra would not accept.
    case invalidKeyspace(String)
    /// A `--replication` value that is not a replication strategy.
    case invalidReplication(String, String)
    /// A `--consistency` value that is not a consistency level.
    case invalidConsistency(String)
    /// A user name without a password or the other way round.
    case incompleteCredentials(String)
    /// The password file cannot be read.
    case unreadablePasswordFile(flag: String = "--sink-password-file", path: String, reason: String)

    public var description: String {
        let forms = "use sqlite:PATH or cassandra://[user:password@]host[:port][,host…]/keyspace"
        switch self {
        case .unknownSink(let text):
            return "--sink \(text) is neither a SQLite nor a Cassandra location — \(forms)"
        case .missingSQLitePath:
            return "--sink sqlite: names no file — use sqlite:PATH, e.g. sqlite:data/users.db"
        case .invalidCassandraURL(let url, let problem):
            return "--sink \(url): \(problem) — use cassandra://[user:password@]host[:port][,host…]/keyspace"
        case .invalidKeyspace(let name):
            return "keyspace '\(name)' is not a valid Cassandra name — use 1 to 48 letters, digits or underscores, starting with a letter"
        case .invalidReplication(let text, let problem):
            return "--replication \(text): \(problem)"
        case .invalidConsistency(let text):
            let levels = ["ANY", "ONE", "TWO", "THREE", "QUORUM", "ALL", "LOCAL_QUORUM", "EACH_QUORUM", "LOCAL_ONE"]
            return "--consistency \(text) is not a consistency level — use one of \(levels.joined(separator: ", "))"
        case .incompleteCredentials(let problem):
            return problem
        case .unreadablePasswordFile(let flag, let path, let reason):
            return "cannot read \(flag) \(path): \(reason) — check the path and its permissions"
        }
    }
}
