import ArgumentParser

/// `userstream dlq stats|show|replay`: what the dead-letter topic holds, and sending it back once the cause is fixed.
struct DeadLetterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "Look at the dead-letter topic and replay its records once their cause is fixed.",
        discussion: "A dead-letter topic that does not exist is an error (exit 1); an empty one is reported and exits 0.",
        subcommands: [DeadLetterStatsCommand.self, DeadLetterShowCommand.self, DeadLetterReplayCommand.self]
    )
}
