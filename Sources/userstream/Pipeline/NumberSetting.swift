import ArgumentParser

/// A number from a flag, else from its `USERSTREAM_*` variable, else a default, always within the
/// bounds the pipeline can use. A value outside them is a usage error naming where it came from:
/// converting it later (to Int32, to a Duration) would trap, and using it would misconfigure.
struct NumberSetting<Value: Comparable & LosslessStringConvertible & Sendable>: Sendable {
    let flag: String
    let variable: String?
    let bounds: ClosedRange<Value>
    /// What a valid value is, for messages, e.g. "1…10000" or "a number of seconds, 0.001…31536000".
    let expected: String

    init(_ flag: String, variable: String? = nil, bounds: ClosedRange<Value>, expected: String? = nil) {
        self.flag = flag
        self.variable = variable
        self.bounds = bounds
        self.expected = expected ?? "\(bounds.lowerBound)…\(bounds.upperBound)"
    }

    /// This setting under another flag name (the same bounds).
    func named(_ flag: String) -> Self {
        Self(flag, variable: variable, bounds: bounds, expected: expected)
    }

    /// This setting read from `variable` when its flag is not given.
    func withVariable(_ variable: String) -> Self {
        Self(flag, variable: variable, bounds: bounds, expected: expected)
    }

    /// The flag's value, else the variable's, else `fallback`.
    func resolve(_ given: Value?, default fallback: Value) throws -> Value {
        try resolve(given) ?? fallback
    }

    /// The flag's value, else the variable's; nil when neither is set.
    func resolve(_ given: Value?) throws -> Value? {
        if let given {
            guard bounds.contains(given) else { throw ValidationError("\(flag) must be \(expected), got \(given)") }
            return given
        }
        guard let variable, let text = Environment.string(variable) else { return nil }
        guard let value = Value(text.trimmingCharacters(in: .whitespaces)), bounds.contains(value) else {
            throw ValidationError("\(variable) must be \(expected), got '\(text)'")
        }
        return value
    }
}

extension NumberSetting where Value == Double {
    /// Seconds from a millisecond to a year: a Duration of any of them fits every clock and sleep.
    static func seconds(_ flag: String, variable: String? = nil) -> Self {
        Self(flag, variable: variable, bounds: 0.001...31_536_000, expected: "a number of seconds from 0.001 to 31536000 (a year)")
    }
}

extension NumberSetting where Value == Int {
    /// A count of things, at least `minimum`.
    static func count(_ flag: String, variable: String? = nil, from minimum: Int = 1, to maximum: Int = 1_000_000_000_000) -> Self {
        Self(flag, variable: variable, bounds: minimum...maximum, expected: "a whole number from \(minimum) to \(maximum)")
    }
}

/// The settings several commands share.
enum Settings {
    static let partitions = NumberSetting<Int>.count("--partitions", variable: "USERSTREAM_PARTITIONS", to: 10_000)
    static let replicationFactor = NumberSetting<Int>.count("--replication-factor", variable: "USERSTREAM_REPLICATION_FACTOR", to: Int(Int16.max))
    static let port = NumberSetting<Int>.count("--port", from: 0, to: 65_535)
    static let partition = NumberSetting<Int>.count("--partition", from: 0, to: Int(Int32.max))
    /// The largest record a producer sends; Kafka's message.max.bytes is an int32 too.
    static let maxRecordBytes = NumberSetting<Int>.count("--max-record-bytes", to: Int(Int32.max))
    /// Seconds of producing when no --count is given (`produce`, `up`).
    static let duration = NumberSetting.seconds("--duration", variable: "USERSTREAM_DURATION")
}
