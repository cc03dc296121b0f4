/// What went wrong talking to a Confluent-compatible schema registry. The registry's own
/// `error_code` and `message` are kept so callers can say what to do.
public enum SchemaRegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The registry could not be reached (connection refused, timeout, bad URL).
    case unreachable(url: String, detail: String)
    /// The schema breaks the subject's compatibility rule against its latest version.
    case incompatible(subject: String, latestVersion: Int, messages: [String])
    /// The registry refused the schema itself (HTTP 422, e.g. error 42201 "invalid schema").
    case invalidSchema(subject: String, message: String)
    /// Any other answer this client does not expect: HTTP status, registry error code and message.
    case unexpectedResponse(request: String, status: Int, errorCode: Int?, message: String)

    public var description: String {
        switch self {
        case .unreachable(let url, let detail):
            "schema registry \(url) is unreachable: \(detail)"
        case .incompatible(let subject, let latestVersion, let messages):
            "the schema is incompatible with subject \(subject) version \(latestVersion)"
                + (messages.isEmpty ? "" : ": " + messages.joined(separator: "; "))
        case .invalidSchema(let subject, let message):
            "the registry refused the schema for subject \(subject) as invalid: \(message)"
        case .unexpectedResponse(let request, let status, let errorCode, let message):
            "\(request) answered HTTP \(status)" + (errorCode.map { " (error \($0))" } ?? "") + ": \(message)"
        }
    }
}
