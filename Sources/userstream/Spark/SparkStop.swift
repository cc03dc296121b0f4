import ArgumentParser
import SparkConnect

/// `userstream spark stop`: stops a session's stream queries.
struct SparkStop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Stop the stream queries of a Spark Connect session (give its session_id in --remote)."
    )

    @OptionGroup var connection: SparkRemoteOptions

    @Option(help: "Stop only this query id.")
    var query: String?

    func run() async throws {
        let session = try SparkSession(remote: connection.remote)
        try await closing(session.close) {
            let queries = try await session.activeQueries().filter { query == nil || $0.id == query }
            if queries.isEmpty { print("no matching active queries in session \(session.sessionID)") }
            for running in queries {
                try await running.stop()
                print("stopped query \(running.id)")
            }
        }
    }
}
