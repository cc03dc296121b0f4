import KafkaProtocol

/// Everything the Kafka client can fail with; each message says what to do about it.
public enum KafkaError: Error, Sendable, CustomStringConvertible {
    /// A setting is invalid.
    case configuration(String)
    /// None of the bootstrap servers could be reached.
    case noBrokerAnswered([BrokerAddress], reason: String)
    /// A TCP/TLS connection to one broker could not be made.
    case connectionFailed(BrokerAddress, reason: String)
    /// The connection closed while requests were in flight; retriable.
    case connectionClosed(BrokerAddress)
    /// No response arrived in time; retriable.
    case requestTimedOut(BrokerAddress, api: String, after: Duration)
    /// The broker implements no version of an API that this client implements.
    case unsupportedVersion(api: String, BrokerAddress)
    /// SASL authentication failed.
    case authenticationFailed(String)
    /// The broker answered with an error code.
    case broker(code: Int16, name: String, message: String?, context: String, retriable: Bool)
    /// The topic does not exist (and was not created while we waited).
    case unknownTopic(String)
    /// A record is larger than the broker or this client accepts.
    case messageTooLarge(size: Int, limit: Int)
    /// The bytes from the broker did not decode.
    case malformedResponse(String)
    /// The client was shut down before the operation finished.
    case shutDown

    /// Whether retrying the same operation later may succeed.
    public var isRetriable: Bool {
        switch self {
        case .connectionClosed, .requestTimedOut, .connectionFailed: true
        case .broker(_, _, _, _, let retriable): retriable
        default: false
        }
    }

    public var description: String {
        switch self {
        case .configuration(let message):
            return "invalid configuration: \(message)"
        case .noBrokerAnswered(let servers, let reason):
            let list = servers.map(\.description).joined(separator: ",")
            return "no Kafka broker answered at \(list) — is Kafka running? set --bootstrap-servers (\(reason))"
        case .connectionFailed(let address, let reason):
            return "could not connect to Kafka broker \(address): \(reason) — is Kafka running? set --bootstrap-servers"
        case .connectionClosed(let address):
            return "the connection to Kafka broker \(address) closed while a request was in flight"
        case .requestTimedOut(let address, let api, let after):
            return "Kafka broker \(address) did not answer \(api) within \(after) — is it overloaded? raise the request timeout"
        case .unsupportedVersion(let api, let address):
            return "Kafka broker \(address) supports no version of \(api) that this client implements — upgrade the broker"
        case .authenticationFailed(let message):
            return "Kafka authentication failed: \(message)"
        case .broker(let code, let name, let message, let context, _):
            let detail = message.map { ": \($0)" } ?? ""
            return "\(context): broker error \(name) (\(code))\(detail)"
        case .unknownTopic(let topic):
            return "topic '\(topic)' does not exist — create it first: userstream setup, or userstream kafka topics create \(topic)"
        case .messageTooLarge(let size, let limit):
            return "record of \(size) bytes is larger than the limit of \(limit) bytes — split the record or raise max.message.bytes on the topic"
        case .malformedResponse(let message):
            return "malformed response from Kafka broker: \(message)"
        case .shutDown:
            return "the Kafka client was shut down before the operation finished"
        }
    }
}

extension KafkaError {
    /// Throws the broker's error for a non-zero error code, marked retriable as Kafka marks it.
    static func check(_ code: Int16, message: String? = nil, context: String) throws(KafkaError) {
        guard code != 0 else { return }
        let error = KafkaErrorCode(rawValue: code)
        throw .broker(code: code, name: error.name, message: message, context: context, retriable: error.isRetriable)
    }
}
