import ArgumentParser
import Logging
import UserPipeline

// Interim: SQLite only, until the Cassandra sink lands.
struct SinkOptions: ParsableArguments {
    @Option(help: "Where users are stored: sqlite:PATH (env USERSTREAM_SINK).")
    var sink: String = Environment.string("USERSTREAM_SINK") ?? "sqlite:data/users.db"


    func location() throws -> SinkLocation { try SinkLocation(parsing: sink) }
}
