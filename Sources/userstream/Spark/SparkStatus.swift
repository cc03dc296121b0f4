import ArgumentParser
import SparkConnect

/// `userstream spark status`: the active queries of a session and what they are doing.
struct SparkStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the stream queries of a Spark Connect session (give its session_id in --remote)."
    )

    @OptionGroup var connection: SparkRemoteOptions

    func run() async throws {
        let session = try SparkSession(remote: connection.remote)
        try await closing(session.close) {
            let queries = try await session.activeQueries()
            if queries.isEmpty { print("no active queries in session \(session.sessionID)") }
            for query in queries {
                let status = try await query.status()
                let progress = try await query.recentProgress().last ?? "{}"
                print("query \(query.id) run \(query.runID): \(status.message) active=\(status.isActive)")
                print("  last progress: \(progress)")
            }
        }
    }
}
