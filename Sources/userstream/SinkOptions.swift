import ArgumentParser
import CQL
import Foundation
import UserPipeline

/// Flags of every command that reads or writes stored users: where they are and, for Cassandra,
/// credentials (flags, environment or a file; never logged), consistency and replication.
struct SinkOptions: ParsableArguments {
    @Option(name: .long, help: "sqlite:PATH or cassandra://[user:password@]host[:port][,host…]/keyspace (env USERSTREAM_SINK).")
    var sink: String = Environment.string("USERSTREAM_SINK") ?? "sqlite:data/users.db"

    @Option(name: .long, help: "Cassandra user name (env USERSTREAM_CASSANDRA_USERNAME).")
    var sinkUsername: String?

    @Option(name: .long, help: "File holding the Cassandra password (env USERSTREAM_CASSANDRA_PASSWORD_FILE; else env USERSTREAM_CASSANDRA_PASSWORD).")
    var sinkPasswordFile: String?

    @Option(name: .long, help: "Cassandra consistency of reads and writes, e.g. LOCAL_ONE, LOCAL_QUORUM (env USERSTREAM_CASSANDRA_CONSISTENCY).")
    var consistency: String = Environment.string("USERSTREAM_CASSANDRA_CONSISTENCY") ?? "LOCAL_ONE"

    @Option(name: .long, help: "Replication of a keyspace `setup` creates: SimpleStrategy:N or NetworkTopologyStrategy:DC=N[,DC=N…] (env USERSTREAM_CASSANDRA_REPLICATION).")
    var replication: String = Environment.string("USERSTREAM_CASSANDRA_REPLICATION") ?? "SimpleStrategy:1"

    @Option(name: .long, help: "Cassandra writes in flight at once (env USERSTREAM_CASSANDRA_CONCURRENCY).")
    var sinkConcurrency: Int = Environment.int("USERSTREAM_CASSANDRA_CONCURRENCY") ?? 64

    /// The parsed location with credentials, consistency and replication applied.
    func location() throws -> SinkLocation {
        try SinkLocation(parsing: sink).withCassandraSettings { configuration in
            guard let level = CQLConsistency(name: consistency) else { throw SinkConfigurationError.invalidConsistency(consistency) }
            configuration.consistency = level
            configuration.replication = try CassandraReplication(parsing: replication)
            guard sinkConcurrency >= 1 else { throw ValidationError("--sink-concurrency must be at least 1") }
            configuration.maximumInFlight = sinkConcurrency
            // Optional flags take their environment fallback here: a default would make them non-optional.
            let username = sinkUsername ?? Environment.string("USERSTREAM_CASSANDRA_USERNAME")
            try configuration.setCredentials(username: username, password: try password())
        }
    }

    /// The password from --sink-password-file, else the environment; nil when neither is set.
    private func password() throws -> String? {
        guard let file = sinkPasswordFile ?? Environment.string("USERSTREAM_CASSANDRA_PASSWORD_FILE") else {
            return Environment.string("USERSTREAM_CASSANDRA_PASSWORD")
        }
        do {
            var text = try String(contentsOfFile: file, encoding: .utf8)
            while text.last?.isNewline == true { text.removeLast() }  // editors end files with a newline
            return text
        } catch {
            throw SinkConfigurationError.unreadablePasswordFile(path: file, reason: (error as NSError).localizedDescription)
        }
    }
}
