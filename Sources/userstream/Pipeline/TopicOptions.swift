import UserPipeline
import ArgumentParser
import Kafka
import UserContract

/// The users topic and its dead-letter topic, as `setup`, `stream`, `up` and `status` name them.
struct TopicOptions: ParsableArguments {
    @Option(name: .customLong("topic"), help: "The users topic; default users_created (env USERSTREAM_TOPIC).")
    private var topicOption: String?
    var topic: String { topicOption ?? Environment.string("USERSTREAM_TOPIC") ?? UsersCreatedContract.defaultTopic }

    @Option(name: .customLong("dlq-topic"), help: "The dead-letter topic; default: TOPIC.dlq (env USERSTREAM_DLQ_TOPIC).")
    private var dlqTopicOption: String?
    var dlqTopic: String? { dlqTopicOption ?? Environment.string("USERSTREAM_DLQ_TOPIC") }

    /// The dead-letter topic in effect.
    var deadLetterTopic: String { dlqTopic ?? UsersCreatedContract.deadLetterTopic(for: topic) }

    func validate() throws {
        try TopicName.validate(topic, from: topicOption != nil ? "--topic" : "USERSTREAM_TOPIC")
        if let dlqTopic {
            try TopicName.validate(dlqTopic, from: dlqTopicOption != nil ? "--dlq-topic" : "USERSTREAM_DLQ_TOPIC")
        } else if deadLetterTopic.utf8.count > TopicName.maxLength {  // the topic passed: only its length can fail
            throw ValidationError("--topic '\(topic)' leaves no room for its dead-letter topic '\(deadLetterTopic)' "
                + "(at most \(TopicName.maxLength) characters): shorten it or set --dlq-topic")
        }
    }

    /// What a stream in `group` reads and where its rejects go.
    func target(group: String) -> StreamTarget {
        StreamTarget(topic: topic, deadLetterTopic: deadLetterTopic, group: group)
    }
}

extension StreamTarget {
    /// The group when none is given: USERSTREAM_GROUP, else userstream.
    static var defaultGroup: String { Environment.string("USERSTREAM_GROUP") ?? "userstream" }
}
