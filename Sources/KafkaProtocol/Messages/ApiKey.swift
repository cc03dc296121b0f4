/// Identifies a Kafka API (Produce, Fetch, …). The constants and names of the APIs this
/// module has codecs for are generated in ApiKey+Generated.swift.
public struct ApiKey: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The api key number on the wire.
    public let rawValue: Int16

    /// Wraps an api key number, known or not.
    public init(rawValue: Int16) {
        self.rawValue = rawValue
    }

    public var description: String { "\(name)(\(rawValue))" }
}
