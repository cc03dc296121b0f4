import ArgumentParser

/// `userstream kafka …`: a small kcat for operators and tests.
struct KafkaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka",
        abstract: "Talk to Kafka directly: manage topics, produce and consume records, inspect consumer groups, measure throughput.",
        subcommands: [TopicsCommand.self, ProduceCommand.self, ConsumeCommand.self, GroupsCommand.self, PerfCommand.self]
    )
}
