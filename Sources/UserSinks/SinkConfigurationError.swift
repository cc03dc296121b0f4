/// Why a sink location or a sink setting cannot be used. Messages never contain a password, and
/// never name the flag or variable that gave the value: the caller knows that, the sink does not.
public enum SinkConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text names no known kind of sink.
    case unknownSink(String)
    /// `sqlite:` without a path.
    case missingSQLitePath
    /// A cassandra:// URL that cannot be parsed (URL shown redacted).
    case invalidCassandraURL(String, String)
    /// A keyspace name Cassandra would not accept.
    case invalidKeyspace(String)
    /// A replication setting that is not a replication strategy.
    case invalidReplication(String, String)
    /// A consistency setting that is not a consistency level.
    case invalidConsistency(String)
    /// A user name without a password or the other way round.
    case incompleteCredentials(MissingCredential)

    /// What a half-given pair of Cassandra credentials lacks.
    public enum MissingCredential: Sendable, Equatable {
        case userNameEmpty, password, userName
    }

    /// The forms a sink location takes.
    public static let locationForms = "sqlite:PATH or cassandra://[user:password@]host[:port][,host…]/keyspace"

    public var description: String {
        switch self {
        case .unknownSink(let text):
            "\(text) is neither a SQLite nor a Cassandra location — use \(Self.locationForms)"
        case .missingSQLitePath:
            "sqlite: names no file — use sqlite:PATH, e.g. sqlite:data/users.db"
        case .invalidCassandraURL(let url, let problem):
            "\(url): \(problem) — use cassandra://[user:password@]host[:port][,host…]/keyspace"
        case .invalidKeyspace(let name):
            "keyspace '\(name)' is not a valid Cassandra name — use 1 to 48 letters, digits or underscores, starting with a letter"
        case .invalidReplication(let text, let problem):
            "replication \(text): \(problem)"
        case .invalidConsistency(let text):
            "\(text) is not a consistency level — use one of \(Self.consistencyLevels.joined(separator: ", "))"
        case .incompleteCredentials(.userNameEmpty):
            "the Cassandra user name is empty"
        case .incompleteCredentials(.password):
            "a Cassandra user name was given without a password"
        case .incompleteCredentials(.userName):
            "a Cassandra password was given without a user name"
        }
    }

    private static let consistencyLevels = ["ANY", "ONE", "TWO", "THREE", "QUORUM", "ALL", "LOCAL_QUORUM", "EACH_QUORUM", "LOCAL_ONE"]
}
