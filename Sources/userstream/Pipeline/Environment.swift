import ArgumentParser
import Foundation

/// `USERSTREAM_…` settings: every flag of the pipeline commands has one; empty counts as unset.
enum Environment {
    static func string(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    static func int(_ name: String) -> Int? { parsed(name, as: "a whole number", Int.init) }

    static func double(_ name: String) -> Double? { parsed(name, as: "a number", Double.init) }

    /// A value that does not parse stops the command with an error naming the variable: ignoring
    /// it would silently run with the default instead (e.g. for 60 s instead of a count).
    private static func parsed<Value>(_ name: String, as kind: String, _ parse: (String) -> Value?) -> Value? {
        guard let text = string(name) else { return nil }
        guard let value = parse(text) else {
            Userstream.exit(withError: ValidationError("\(name) must be \(kind), got '\(text)'"))
        }
        return value
    }
}

extension Duration {
    /// A duration from a number of seconds as given on the command line.
    init(seconds: Double) {
        self = .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
