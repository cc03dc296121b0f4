import ArgumentParser

@main
struct Userstream: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "userstream",
        abstract: "A real-time user-data pipeline: randomuser API → Kafka → Cassandra or SQLite.",
        subcommands: [UpCommand.self, SetupCommand.self, ProduceUsersCommand.self, StreamCommand.self, StatusCommand.self, QueryCommand.self, ServeAPICommand.self, KafkaCommand.self, SparkCommand.self]
    )
}
