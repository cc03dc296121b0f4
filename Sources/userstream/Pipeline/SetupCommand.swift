import ArgumentParser
import Logging
import Kafka
import KafkaProtocol

/// `userstream setup`: the topics and the sink's schema, created when missing.
struct SetupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setup",
        abstract: "Create the users topic, its dead-letter topic and the sink's table when they are missing (safe to rerun); "
            + "with --schema-registry, register the users contract there."
    )

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var topics: TopicOptions

    @Option(name: .customLong("partitions"), help: "Partitions of a new users topic: the most stream processors that can share it; default 3 (env USERSTREAM_PARTITIONS).")
    private var partitionsOption: Int?
    var partitions: Int32 { get throws { Int32(try Settings.partitions.resolve(partitionsOption, default: 3)) } }

    @Option(name: .customLong("replication-factor"), help: "Replication factor of new topics; default 1 (env USERSTREAM_REPLICATION_FACTOR).")
    private var replicationFactorOption: Int?
    var replicationFactor: Int16 { get throws { Int16(try Settings.replicationFactor.resolve(replicationFactorOption, default: 1)) } }

    func validate() throws {
        _ = try (partitions, replicationFactor)
    }

    @Flag(help: "Only the topics; leave the sink alone.")
    var skipSink = false

    @OptionGroup var sink: SinkOptions

    @OptionGroup var schemaRegistry: SchemaRegistryOptions

    func run() async throws {
        let newTopics = try [topics.topic, topics.deadLetterTopic].map {
            NewTopic(name: $0, partitions: try partitions, replicationFactor: try replicationFactor)
        }
        var done = try await KafkaAdmin.withAdmin(configuration: try connection.kafkaConfiguration()) { admin in
            var created: [String] = []
            for topic in newTopics {
                created.append(try await Self.ensureTopic(topic, admin: admin))
            }
            return created
        }
        if !skipSink {
            done.append(try await sink.location().setUp(logger: Logger(label: "userstream.sink")))
        }
        if let registry = schemaRegistry.url {
            done.append(try await ContractRegistration.ensure(registry: registry, topic: topics.topic))
        }
        print("userstream: setup " + done.joined(separator: "; "))
    }

    /// Creates `topic` unless it exists; says which.
    static func ensureTopic(_ topic: NewTopic, admin: KafkaAdmin) async throws -> String {
        do {
            try await admin.createTopic(topic)
            return "topic \(topic.name) created (\(topic.partitions) partitions)"
        } catch KafkaError.broker(code: KafkaErrorCode.topicAlreadyExists.rawValue, _, _, _, _) {
            return "topic \(topic.name) exists"
        }
    }
}
