/// A message that cannot be written in the requested version.
public enum KafkaEncodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The message has no such version.
    case unsupportedVersion(message: String, version: Int16, supported: ClosedRange<Int16>)
    /// A field is nil but the version being written cannot express null.
    case nullNotAllowed(field: String, version: Int16)
    /// A field holds a non-default value but does not exist in the version being written,
    /// so the value would be silently lost.
    case fieldNotInVersion(field: String, version: Int16)
    /// A classic (non-compact) string is longer than the 32767 bytes its int16 length allows.
    case stringTooLong(byteCount: Int)
    /// A length or count does not fit its wire representation.
    case valueTooLarge(String)

    public var description: String {
        switch self {
        case .unsupportedVersion(let message, let version, let supported):
            "\(message) has no version \(version) (supported: \(supported.lowerBound)...\(supported.upperBound)) — negotiate a version with ApiVersions first"
        case .nullNotAllowed(let field, let version):
            "\(field) is nil but version \(version) cannot encode null — set a value or use a newer version"
        case .fieldNotInVersion(let field, let version):
            "\(field) is set but does not exist in version \(version) — leave it at its default or use a version that has it"
        case .stringTooLong(let byteCount):
            "string of \(byteCount) UTF-8 bytes exceeds the 32767-byte limit of a non-compact Kafka string — shorten it"
        case .valueTooLarge(let what):
            "\(what) is too large for the Kafka wire format"
        }
    }
}
