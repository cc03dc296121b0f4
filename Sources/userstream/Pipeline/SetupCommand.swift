import ArgumentParser
import Logging
import Kafka

/// `userstream setup`: the topics and the sink's schema, created when missing.
struct SetupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setup",
        abstract: "Create the users topic, its dead-letter topic and the sink's table when they are missing (safe to rerun)."
    )

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var topics: TopicOptions

    @Option(help: "Partitions of a new users topic: the most stream processors that can share it (env USERSTREAM_PARTITIONS).")
    var partitions: Int32 = Int32(Environment.int("USERSTREAM_PARTITIONS") ?? 3)

    @Option(help: "Replication factor of new topics (env USERSTREAM_REPLICATION_FACTOR).")
    var replicationFactor: Int16 = Int16(Environment.int("USERSTREAM_REPLICATION_FACTOR") ?? 1)

    @Flag(help: "Only the topics; leave the sink alone.")
    var skipSink = false

    @OptionGroup var sink: SinkOptions

    func run() async throws {
        let admin = KafkaAdmin(configuration: try connection.kafkaConfiguration())
        defer { Task { await admin.shutdown() } }
        var done: [String] = []
        for name in [topics.topic, topics.deadLetterTopic] {
            done.append(try await Self.ensureTopic(NewTopic(name: name, partitions: partitions, replicationFactor: replicationFactor), admin: admin))
        }
        if !skipSink {
            done.append(try await sink.location().setUp(logger: Logger(label: "userstream.sink")))
        }
        await admin.shutdown()
        print("userstream: setup " + done.joined(separator: "; "))
    }

    /// Creates `topic` unless it exists; says which.
    static func ensureTopic(_ topic: NewTopic, admin: KafkaAdmin) async throws -> String {
        do {
            try await admin.createTopic(topic)
            return "topic \(topic.name) created (\(topic.partitions) partitions)"
        } catch KafkaError.broker(code: 36, _, _, _, _) {
            return "topic \(topic.name) exists"
        }
    }
}
