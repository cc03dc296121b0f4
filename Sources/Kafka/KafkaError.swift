import KafkaProtocol

/// Everything the Kafka client can fail with. Each description says what happened in Kafka's
/// terms (brokers, topics, mechanisms); how to fix it in a given program is the program's to say.
public enum KafkaError: Error, Sendable, CustomStringConvertible {
    /// A setting is invalid.
    case configuration(String)
    /// A consumer was asked to join a group without a group id.
    case missingGroupID
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
    /// The broker does not offer the configured SASL mechanism; `offered` is what it offers.
    case saslMechanismNotOffered(BrokerAddress, mechanism: String, offered: [String])
    /// The broker rejected the configured SASL user name and password.
    case saslCredentialsRejected(BrokerAddress, user: String, mechanism: String, message: String?)
    /// The broker answered with an error code.
    case broker(code: Int16, name: String, message: String?, context: String, retriable: Bool)
    /// The topic does not exist (and was not created while we waited).
    case unknownTopic(String)
    /// A record is larger than this producer's `ProducerSettings.maxRecordSize` (`limit`), or the
    /// broker refused a batch of `size` bytes as too large (`limit` nil: its limit is not known).
    case messageTooLarge(size: Int, limit: Int?)
    /// The bytes from the broker did not decode.
    case malformedResponse(String)
    /// The client was shut down before the operation finished.
    case shutDown
    /// A record was not acknowledged within the producer's delivery timeout, retries included.
    case deliveryTimedOut(TopicPartition, after: Duration)
    /// No broker could be reached for a whole reconnect window while the client was running.
    case brokersUnreachable(for: Duration, lastError: String)
    /// A partition's position was outside its log and the reset policy is `fail`.
    case offsetOutOfRange(TopicPartition, position: Int64, logStart: Int64, logEnd: Int64)

    /// Whether the broker refused this client's SASL authentication, which no retry or other
    /// broker will change.
    public var isAuthenticationFailure: Bool {
        switch self {
        case .authenticationFailed, .saslMechanismNotOffered, .saslCredentialsRejected: true
        default: false
        }
    }

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
        case .missingGroupID:
            return "invalid configuration: the consumer group id is empty"
        case .noBrokerAnswered(let servers, let reason):
            let list = servers.map(\.description).joined(separator: ",")
            return "no Kafka broker answered at \(list) (\(reason))"
        case .connectionFailed(let address, let reason):
            return "could not connect to Kafka broker \(address): \(reason)"
        case .connectionClosed(let address):
            return "the connection to Kafka broker \(address) closed while a request was in flight"
        case .requestTimedOut(let address, let api, let after):
            return "Kafka broker \(address) did not answer \(api) within \(after) — is it overloaded? raise the request timeout"
        case .unsupportedVersion(let api, let address):
            return "Kafka broker \(address) supports no version of \(api) that this client implements — upgrade the broker"
        case .authenticationFailed(let message):
            return "Kafka authentication failed: \(message)"
        case .saslMechanismNotOffered(let address, let mechanism, let offered):
            let list = offered.isEmpty ? "none" : offered.joined(separator: ", ")
            return "Kafka authentication failed: broker \(address) does not accept SASL mechanism \(mechanism) (it offers: \(list))"
        case .saslCredentialsRejected(let address, let user, let mechanism, let message):
            return "Kafka authentication failed: broker \(address) rejected user '\(user)' with \(mechanism)" + (message.map { ": \($0)" } ?? "")
        case .broker(let code, let name, let message, let context, _):
            let detail = message.map { ": \($0)" } ?? ""
            return "\(context): broker error \(name) (\(code))\(detail)"
        case .unknownTopic(let topic):
            return "topic '\(topic)' does not exist"
        case .messageTooLarge(let size, let limit?):
            return "record of \(size) bytes is larger than the producer's maximum record size of \(limit) bytes"
        case .messageTooLarge(let size, nil):
            return "the broker refused a batch of \(size) bytes as too large (MESSAGE_TOO_LARGE) — raise max.message.bytes on the topic"
        case .malformedResponse(let message):
            return "malformed response from Kafka broker: \(message)"
        case .shutDown:
            return "the Kafka client was shut down before the operation finished"
        case .deliveryTimedOut(let partition, let after):
            return "records for \(partition) were not acknowledged within the delivery timeout of \(after), retries included — is the broker up and the partition led?"
        case .brokersUnreachable(let duration, let lastError):
            return "no Kafka broker could be reached for \(duration), the reconnect window; last error: \(lastError)"
        case .offsetOutOfRange(let partition, let position, let logStart, let logEnd):
            return "\(partition): offset \(position) is outside the log (\(logStart)..<\(logEnd)); nothing was read from it "
                + "and the reset policy is to fail"
        }
    }
}

extension KafkaError {
    /// Throws the broker's error for a non-zero error code, marked retriable as Kafka marks it.
    static func check(_ code: Int16, message: String? = nil, context: String) throws(KafkaError) {
        let error = KafkaErrorCode(rawValue: code)
        guard error != .none else { return }
        throw .broker(code: code, name: error.name, message: message, context: context, retriable: error.isRetriable)
    }
}
