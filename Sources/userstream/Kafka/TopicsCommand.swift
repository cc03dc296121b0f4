import ArgumentParser
import Kafka
import KafkaProtocol

/// `userstream kafka topics create|list|delete`.
struct TopicsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics",
        abstract: "Create, list or delete topics.",
        subcommands: [Create.self, List.self, Delete.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a topic.")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Topic name.") var name: String
        @Option(help: "Number of partitions.") var partitions: Int32 = 1
        @Option(help: "Replication factor.") var replicationFactor: Int16 = 1
        @Option(name: .customLong("config"), help: "Topic config as key=value; repeatable.") var configs: [String] = []

        func validate() throws {
            try TopicName.validate(name, from: "topic")
            _ = try Settings.partitions.resolve(Int(partitions))
            _ = try Settings.replicationFactor.resolve(Int(replicationFactor))
        }

        func run() async throws {
            var parsed: [String: String] = [:]
            for entry in configs {
                guard let eq = entry.firstIndex(of: "=") else {
                    throw ValidationError("--config expects key=value, got '\(entry)'")
                }
                parsed[String(entry[..<eq])] = String(entry[entry.index(after: eq)...])
            }
            let topic = NewTopic(name: name, partitions: partitions, replicationFactor: replicationFactor, configs: parsed)
            try await KafkaAdmin.withAdmin(configuration: try connection.kafkaConfiguration()) { try await $0.createTopic(topic) }
            printError("created topic \(name) (\(partitions) partitions, replication factor \(replicationFactor))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List topics, one per line: name, partitions, replication factor.")

        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let topics = try await KafkaAdmin.withAdmin(configuration: try connection.kafkaConfiguration()) { try await $0.listTopics() }
            for topic in topics {
                print("\(topic.name)\tpartitions=\(topic.partitionCount)\treplication-factor=\(topic.replicationFactor)")
            }
            printError("\(topics.count) topics")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a topic.")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Topic name.") var name: String

        func validate() throws {
            try TopicName.validate(name, from: "topic")
        }

        func run() async throws {
            try await KafkaAdmin.withAdmin(configuration: try connection.kafkaConfiguration()) { try await $0.deleteTopic(named: name) }
            printError("deleted topic \(name)")
        }
    }
}
