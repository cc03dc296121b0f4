/// What went wrong talking to a Spark Connect server.
public enum SparkConnectError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `sc://` address could not be parsed.
    case badAddress(String, reason: String)
    /// No server answered at the address.
    case unreachable(address: String, detail: String)
    /// The server rejected or failed the operation; `errorClass` is Spark's error class when known.
    case server(errorClass: String?, message: String, sqlState: String?)
    /// The server's reply did not have the expected shape.
    case unexpectedResponse(String)
    /// An Arrow result batch could not be decoded.
    case arrow(ArrowDecodingError)

    public var description: String {
        switch self {
        case .badAddress(let address, let reason):
            "Spark Connect address \(address) is not valid: \(reason) — use sc://host:port"
        case .unreachable(let address, let detail):
            "no Spark Connect server answered at \(address) (\(detail)) — is it running?"
        case .server(let errorClass, let message, _):
            errorClass.map { "Spark rejected the request [\($0)]: \(message)" } ?? "Spark rejected the request: \(message)"
        case .unexpectedResponse(let what):
            "the Spark Connect server sent an unexpected reply: \(what) — check that it runs Spark 4"
        case .arrow(let error):
            error.description
        }
    }
}
