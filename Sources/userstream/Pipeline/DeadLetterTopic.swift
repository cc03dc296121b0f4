import Kafka
import Logging
import UserPipeline

/// The dead-letter topic must exist before a record is consumed: a bad record sent to a missing
/// topic is retried forever and holds back every record after it.
enum DeadLetterTopic {
    /// Creates `target`'s dead-letter topic when missing, like the users topic (its partitions and
    /// replication factor; `setup`'s defaults while that is missing too), and says so in the log.
    static func ensure(_ target: StreamTarget, kafka: KafkaConfiguration, logger: Logger = Logger(label: "userstream.stream")) async throws {
        try await KafkaAdmin.withAdmin(configuration: kafka) { admin in
            let topics = try await admin.listTopics()
            guard !topics.contains(where: { $0.name == target.deadLetterTopic }) else { return }
            let users = topics.first { $0.name == target.topic }
            let topic = NewTopic(name: target.deadLetterTopic,
                                 partitions: users.map { Int32($0.partitionCount) } ?? SetupCommand.defaultPartitions,
                                 replicationFactor: users.map { Int16($0.replicationFactor) } ?? SetupCommand.defaultReplicationFactor)
            guard try await SetupCommand.createUnlessExists(topic, admin: admin) else { return }  // another replica made it
            logger.warning("""
                dead-letter topic '\(topic.name)' did not exist: created it as setup would, like the users topic \
                '\(target.topic)' (\(topic.partitions) partitions, replication factor \(topic.replicationFactor))
                """)
        }
    }
}
