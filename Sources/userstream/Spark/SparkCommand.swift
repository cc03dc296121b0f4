import ArgumentParser

/// `userstream spark …`: run the users stream job on Spark through Spark Connect.
struct SparkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spark",
        abstract: "Run the users stream job on a Spark cluster over Spark Connect.",
        subcommands: [SparkSubmit.self, SparkStatus.self, SparkStop.self]
    )
}

/// Options every `spark` subcommand takes.
struct SparkRemoteOptions: ParsableArguments {
    @Option(help: "Spark Connect address: sc://host:port[/;token=…;user_id=…;session_id=…].")
    var remote = "sc://localhost:15002"
}

/// Parses repeated `key=value` flags.
func keyValues(_ pairs: [String], flag: String) throws -> [String: String] {
    var result: [String: String] = [:]
    for pair in pairs {
        let parts = pair.split(separator: "=", maxSplits: 1)
        guard parts.count == 2, !parts[0].isEmpty else {
            throw ValidationError("\(flag) \(pair) is not key=value — write e.g. \(flag) path=/data/users")
        }
        result[String(parts[0])] = String(parts[1])
    }
    return result
}
