import ArgumentParser
import Foundation
import Logging

@main
struct Userstream: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "userstream",
        abstract: "A real-time user-data pipeline: randomuser API → Kafka → Cassandra or SQLite.",
        version: "userstream \(version) (commit \(buildCommit ?? "unknown: not built in a git checkout"))",
        subcommands: [UpCommand.self, SetupCommand.self, ProduceUsersCommand.self, StreamCommand.self, StatusCommand.self, VerifyCommand.self, QueryCommand.self, DeadLetterCommand.self, ServeAPICommand.self, KafkaCommand.self, SparkCommand.self]
    )

    /// This release's version; `--version` adds the commit it was built from.
    static let version = "0.1.0"

    /// Runs the command; any error ends it with one line on standard error (passwords hidden,
    /// Kafka and Cassandra errors followed by the flag to fix) and its exit code: 64 for usage errors.
    static func main() async {
        LoggingSystem.bootstrap(RedactingLogHandler.init)
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            try OutputFailure.flushPrinted()  // a summary or table lost to a full disk is a failure, not exit 0
        } catch {
            let code = error is OutputFailure ? OutputFailure.exitCode : exitCode(for: error)
            if code == .success { exit(withError: error) }  // --help, --version
            let message = CommandLineHints.message(message(for: error), for: error).split(whereSeparator: \.isNewline).joined(separator: "; ")
            if !message.isEmpty {
                printError("userstream: error: " + message + (code == .validationFailure ? " (see --help)" : ""))
            }
            Foundation.exit(code.rawValue)
        }
    }
}
