/// Why a dead-letter command cannot go on, in the pipeline's terms.
public enum DeadLetterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The dead-letter topic does not exist: nothing was ever dead-lettered there.
    case topicMissing(String)
    /// The group has no committed offset on the dead-letter topic.
    case groupUnknown(group: String, topic: String)
    /// The group has live members, whose commits a replay's would fight: named by member and client id.
    case groupHasMembers(group: String, members: [String])

    public var description: String {
        switch self {
        case .topicMissing(let topic): "dead-letter topic '\(topic)' does not exist: no stream has dead-lettered a record there"
        case .groupUnknown(let group, let topic): "consumer group '\(group)' has committed no offset on '\(topic)': no replay ran in it"
        case .groupHasMembers(let group, let members):
            "consumer group '\(group)' has live members (\(members.joined(separator: ", "))): a replay keeps its progress in a group of its own"
        }
    }
}
