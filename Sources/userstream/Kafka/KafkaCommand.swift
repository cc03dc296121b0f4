import ArgumentParser

/// `userstream kafka …`: a small kcat for operators and tests.
struct KafkaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka",
        abstract: "Talk to Kafka directly: manage topics, produce and consume records, measure throughput.",
        subcommands: [TopicsCommand.self, ProduceCommand.self, ConsumeCommand.self, PerfCommand.self]
    )
}
