/// Kafka's rules for a topic name, checked before the name reaches a broker: some brokers (Tansu
/// among them) create `""`, `a/b` or `..` without a word, and a path-like name breaks the log
/// directories of those that do not.
public enum TopicName {
    /// The longest name Kafka accepts (a partition's directory adds `-<partition>` to it).
    public static let maxLength = 249
    /// Topics the brokers keep for themselves.
    public static let internalTopics: Set<String> = ["__consumer_offsets", "__transaction_state"]

    /// Why a name is not a topic name.
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case empty
        case tooLong(length: Int)
        case dotOrDotDot
        case illegalCharacter(Character)
        case internalTopic

        public var description: String {
            switch self {
            case .empty: "it is empty"
            case .tooLong(let length): "it has \(length) characters, more than Kafka's \(TopicName.maxLength)"
            case .dotOrDotDot: "'.' and '..' are not topic names"
            case .illegalCharacter(let character):
                "\(String(reflecting: String(character))) is not allowed; use letters a-z A-Z, digits, '.', '_' and '-'"
            case .internalTopic: "it is a topic the broker keeps for itself"
            }
        }
    }

    /// Throws what is wrong with `name` as a topic name, if anything.
    public static func check(_ name: String) throws(Problem) {
        guard !name.isEmpty else { throw .empty }
        guard name != ".", name != ".." else { throw .dotOrDotDot }
        if let illegal = name.first(where: { !isLegal($0) }) { throw .illegalCharacter(illegal) }
        guard name.utf8.count <= maxLength else { throw .tooLong(length: name.utf8.count) }
        guard !internalTopics.contains(name) else { throw .internalTopic }
    }

    private static func isLegal(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue else { return false }
        return (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(ascii) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(ascii)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(ascii) || ascii == UInt8(ascii: ".") || ascii == UInt8(ascii: "_")
            || ascii == UInt8(ascii: "-")
    }
}
