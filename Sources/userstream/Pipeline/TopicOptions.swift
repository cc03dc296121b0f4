import ArgumentParser

/// The users topic and its dead-letter topic, as `setup`, `stream`, `up` and `status` name them.
struct TopicOptions: ParsableArguments {
    @Option(help: "The users topic (env USERSTREAM_TOPIC).")
    var topic: String = Environment.string("USERSTREAM_TOPIC") ?? "users_created"

    @Option(name: .customLong("dlq-topic"), help: "The dead-letter topic; default: TOPIC.dlq (env USERSTREAM_DLQ_TOPIC).")
    private var dlqTopicOption: String?
    var dlqTopic: String? { dlqTopicOption ?? Environment.string("USERSTREAM_DLQ_TOPIC") }

    /// The dead-letter topic in effect.
    var deadLetterTopic: String { dlqTopic ?? topic + ".dlq" }
}
