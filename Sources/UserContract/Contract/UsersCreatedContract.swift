/// The users_created contract as a JSON Schema: one committed file (contract/users_created.schema.json),
/// embedded as `schemaText`. The validator's tests check it against `UserValidator`, the embedded
/// broker enforces it, and `setup --schema-registry` registers it.
public enum UsersCreatedContract {
    /// The topic users are published to unless another is chosen.
    public static let defaultTopic = "users_created"

    /// The dead-letter topic beside `topic`, unless another is chosen.
    public static func deadLetterTopic(for topic: String) -> String { topic + ".dlq" }

    /// The subject a Confluent-compatible registry files a topic's value schema under (TopicNameStrategy).
    public static func registrySubject(topic: String) -> String { "\(topic)-value" }

    /// The file Tansu's schema registry reads for a topic (`DIR/TOPIC.json`): a schema of the whole
    /// record whose `value` property is the contract. There is no `key` property because our key is
    /// plain UUID text, not JSON.
    public static var brokerRecordSchema: String {
        "{\"type\":\"object\",\"properties\":{\"value\":" + schemaText + "}}\n"
    }
}
