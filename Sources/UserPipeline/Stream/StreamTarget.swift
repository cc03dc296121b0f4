/// The topic a stream reads, its dead-letter topic and its consumer group.
public struct StreamTarget: Sendable {
    public var topic: String
    public var deadLetterTopic: String
    public var group: String

    public init(topic: String, deadLetterTopic: String, group: String) {
        self.topic = topic
        self.deadLetterTopic = deadLetterTopic
        self.group = group
    }
}
