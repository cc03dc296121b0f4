import ArgumentParser
import CQL
import Logging
import UserSinks
import Kafka
import KafkaProtocol

/// `userstream setup`: the topics and the sink's schema, created when missing.
struct SetupCommand: AsyncParsableCommand {
    /// A new users topic's partitions and replication factor when none is given.
    static let defaultPartitions: Int32 = 3
    static let defaultReplicationFactor: Int16 = 1

    static let configuration = CommandConfiguration(
        commandName: "setup",
        abstract: "Create the users topic, its dead-letter topic and the sink's table when they are missing (safe to rerun); "
            + "with --schema-registry, register the users contract there."
    )

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var topics: TopicOptions

    @Option(name: .customLong("partitions"), help: "Partitions of a new users topic: the most stream processors that can share it; default 3 (env USERSTREAM_PARTITIONS).")
    private var partitionsOption: Int?
    var partitions: Int32 { get throws { Int32(try Settings.partitions.resolve(partitionsOption, default: Int(Self.defaultPartitions))) } }

    @Option(name: .customLong("replication-factor"), help: "Replication factor of new topics; default 1 (env USERSTREAM_REPLICATION_FACTOR).")
    private var replicationFactorOption: Int?
    var replicationFactor: Int16 { get throws { Int16(try Settings.replicationFactor.resolve(replicationFactorOption, default: Int(Self.defaultReplicationFactor))) } }

    @Option(name: .customLong("stream-role"), help: "Cassandra role to create for the stream processors, or whose password to set again: it may only read and write the users table (env USERSTREAM_CASSANDRA_STREAM_ROLE).")
    private var streamRoleOption: String?

    @Option(name: .customLong("stream-role-password-file"), help: "File holding the --stream-role's password (env USERSTREAM_CASSANDRA_STREAM_PASSWORD_FILE).")
    private var streamRolePasswordFileOption: String?

    /// The stream processors' role and password; nil when no role is asked for.
    func streamRole() throws -> CQLCredentials? {
        let name = streamRoleOption ?? Environment.string("USERSTREAM_CASSANDRA_STREAM_ROLE")
        let file = streamRolePasswordFileOption ?? Environment.string("USERSTREAM_CASSANDRA_STREAM_PASSWORD_FILE")
        switch (name, file) {
        case (nil, nil):
            return nil
        case (let name?, let file?):
            // Role names go into CQL unquoted: plain lower-case identifiers only.
            guard name.wholeMatch(of: /[a-z_][a-z0-9_]*/) != nil else {
                throw ValidationError("--stream-role \(name): use lower-case letters, digits and _")
            }
            let password: String
            do {
                password = try SinkOptions.readPassword(file: file, flag: "--stream-role-password-file")
            } catch {
                throw ValidationError("\(error)")
            }
            guard !password.isEmpty else { throw ValidationError("--stream-role-password-file \(file) is empty") }
            return CQLCredentials(username: name, password: password)
        case (nil, _):
            throw ValidationError("--stream-role-password-file needs --stream-role (or USERSTREAM_CASSANDRA_STREAM_ROLE)")
        case (_, nil):
            throw ValidationError("--stream-role needs --stream-role-password-file (or USERSTREAM_CASSANDRA_STREAM_PASSWORD_FILE)")
        }
    }

    func validate() throws {
        _ = try (partitions, replicationFactor, streamRole())
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
            let role = try streamRole()
            let location = try sink.location().withCassandraSettings { $0.streamRole = role }
            done.append(try await location.setUp(logger: Logger(label: "userstream.sink")))
        }
        if let registry = schemaRegistry.url {
            done.append(try await ContractRegistration.ensure(registry: registry, topic: topics.topic))
        }
        print("userstream: setup " + done.joined(separator: "; "))
    }

    /// Creates `topic` unless it exists; says which.
    static func ensureTopic(_ topic: NewTopic, admin: KafkaAdmin) async throws -> String {
        try await createUnlessExists(topic, admin: admin)
            ? "topic \(topic.name) created (\(topic.partitions) partitions)" : "topic \(topic.name) exists"
    }

    /// Creates `topic`; false when it exists already (made earlier, or by another process meanwhile).
    static func createUnlessExists(_ topic: NewTopic, admin: KafkaAdmin) async throws -> Bool {
        do {
            try await admin.createTopic(topic)
            return true
        } catch KafkaError.broker(code: KafkaErrorCode.topicAlreadyExists.rawValue, _, _, _, _) {
            return false
        }
    }
}
