import ArgumentParser
import Kafka

extension TopicName {
    /// Checks `name`, given by `source` (a flag, a variable or an argument), as a topic name: a
    /// name Kafka refuses is a usage error naming where it came from.
    static func validate(_ name: String, from source: String) throws {
        do {
            try check(name)
        } catch {
            throw ValidationError("\(source) '\(name)' is not a topic name: \(error)")
        }
    }

    /// Checks every name in `names` as given by `source`.
    static func validate(_ names: [String], from source: String) throws {
        for name in names { try validate(name, from: source) }
    }
}
