import ArgumentParser
import Kafka
import UserPipeline

/// Where the dead letters are, as every `dlq` command names it.
struct DeadLetterOptions: ParsableArguments {
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var topics: TopicOptions

    /// Runs `body` with the dead-letter log and the admin client it reads through, closed afterwards.
    func withLog<Result>(_ body: (DeadLetterLog, KafkaAdmin) async throws -> Result) async throws -> Result {
        try await KafkaAdmin.withAdmin(configuration: try connection.kafkaConfiguration()) { admin in
            try await body(DeadLetterLog(topic: topics.deadLetterTopic, admin: admin), admin)
        }
    }
}

/// `--reason`, checked against the reasons the stream writes.
struct ReasonOption: ParsableArguments {
    @Option(help: "Only dead letters with this dlq.reason, such as not_json or invalid_id.")
    var reason: String?

    func validate() throws {
        guard let reason, !DeadLetterSelection.knownReasons.contains(reason) else { return }
        throw ValidationError("--reason '\(reason)' is not a reason the stream writes; known: " + DeadLetterSelection.knownReasons.joined(separator: ", "))
    }
}
