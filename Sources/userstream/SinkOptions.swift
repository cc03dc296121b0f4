import ArgumentParser
import CQL
import Foundation
import UserSinks

/// Flags of every command that reads or writes stored users: where they are and, for Cassandra,
/// credentials (flags, environment or a file; never logged), consistency and replication.
struct SinkOptions: ParsableArguments {
    // Flags with a variable take it when read, not as their default: --help would print it, password and all.
    @Option(name: .customLong("sink"), help: "sqlite:PATH or cassandra://[user:password@]host[:port][,host…]/keyspace; default sqlite:data/users.db (env USERSTREAM_SINK).")
    private var sinkOption: String?
    var sink: String { sinkOption ?? Environment.string("USERSTREAM_SINK") ?? "sqlite:data/users.db" }

    @Option(name: .long, help: "Cassandra user name (env USERSTREAM_CASSANDRA_USERNAME).")
    var sinkUsername: String?

    @Option(name: .long, help: "File holding the Cassandra password (env USERSTREAM_CASSANDRA_PASSWORD_FILE; else env USERSTREAM_CASSANDRA_PASSWORD).")
    var sinkPasswordFile: String?

    @Option(name: .customLong("consistency"), help: "Cassandra consistency of reads and writes, e.g. LOCAL_ONE (the default), LOCAL_QUORUM (env USERSTREAM_CASSANDRA_CONSISTENCY).")
    private var consistencyOption: String?
    var consistency: String { consistencyOption ?? Environment.string("USERSTREAM_CASSANDRA_CONSISTENCY") ?? "LOCAL_ONE" }

    @Option(name: .customLong("replication"), help: "Replication of a keyspace `setup` creates: SimpleStrategy:N or NetworkTopologyStrategy:DC=N[,DC=N…]; default SimpleStrategy:1 (env USERSTREAM_CASSANDRA_REPLICATION).")
    private var replicationOption: String?
    var replication: String { replicationOption ?? Environment.string("USERSTREAM_CASSANDRA_REPLICATION") ?? "SimpleStrategy:1" }

    @Option(name: .customLong("sink-concurrency"), help: "Cassandra writes in flight at once; default 64 (env USERSTREAM_CASSANDRA_CONCURRENCY).")
    private var sinkConcurrencyOption: Int?
    var sinkConcurrency: Int {
        get throws {
            try NumberSetting.count("--sink-concurrency", variable: "USERSTREAM_CASSANDRA_CONCURRENCY", to: 10_000).resolve(sinkConcurrencyOption, default: 64)
        }
    }

    func validate() throws {
        _ = try sinkConcurrency  // checked for SQLite sinks too, which do not use it
        _ = try location()
    }

    /// The parsed location with credentials, consistency and replication applied; anything wrong
    /// with them is a usage error.
    func location() throws -> SinkLocation {
        do {
            return try configuredLocation()
        } catch let error as SinkConfigurationError {
            throw ValidationError(CommandLineHints.usage(error))
        }
    }

    private func configuredLocation() throws -> SinkLocation {
        try SinkLocation(parsing: sink).withCassandraSettings { configuration in
            guard let level = CQLConsistency(name: consistency) else { throw SinkConfigurationError.invalidConsistency(consistency) }
            configuration.consistency = level
            configuration.replication = try CassandraReplication(parsing: replication)
            configuration.maximumInFlight = try sinkConcurrency
            // Optional flags take their environment fallback here: a default would make them non-optional.
            let username = sinkUsername ?? Environment.string("USERSTREAM_CASSANDRA_USERNAME")
            try configuration.setCredentials(username: username, password: try password())
            if configuration.credentials?.password.isEmpty == true {
                throw ValidationError("--sink: the Cassandra password is empty — give user:password@, --sink-password-file or USERSTREAM_CASSANDRA_PASSWORD")
            }
        }
    }

    /// The password from --sink-password-file, else the environment; nil when neither is set.
    private func password() throws -> String? {
        guard let file = sinkPasswordFile ?? Environment.string("USERSTREAM_CASSANDRA_PASSWORD_FILE") else {
            return Environment.string("USERSTREAM_CASSANDRA_PASSWORD")
        }
        return try Self.readPassword(file: file, flag: "--sink-password-file")
    }

    /// The password in `file` (given by `flag`), without the newline editors end files with.
    static func readPassword(file: String, flag: String) throws -> String {
        do {
            var text = try String(contentsOfFile: file, encoding: .utf8)
            while text.last?.isNewline == true { text.removeLast() }
            return text
        } catch {
            throw ValidationError("cannot read \(flag) \(file): \((error as NSError).localizedDescription) — check the path and its permissions")
        }
    }
}
