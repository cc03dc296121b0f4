import CQL
import EmbeddedBroker
import Kafka
import SparkConnect
import UserPipeline
import UserSinks

/// What to do about a Kafka or Cassandra error, in this command line's flags and commands. The
/// libraries say what happened (broker, topic, host); only the command line knows which flag
/// sets the thing that was wrong.
enum CommandLineHints {
    /// `error`'s message with the hint for it (or for the Kafka or CQL error it wraps) appended.
    static func message(_ message: String, for error: any Error) -> String {
        guard let hint = hint(for: error) else { return message }
        return message + " — " + hint
    }

    /// The hint for `error` or the Kafka or CQL error it wraps; nil when its message says enough.
    static func hint(for error: any Error) -> String? {
        switch error {
        case let error as KafkaError: hint(for: error)
        case let error as CQLError: hint(for: error)
        case let error as CassandraSinkError where error.isTableMissingOrDifferent:
            "run `userstream setup` with the same --sink to create it with all twelve columns"
        case let error as CassandraSinkError: hint(for: error.cause)
        case let error as SQLiteSinkError: hint(for: error)
        case is SinkTableMismatch: "rename or drop that table (setup creates it when missing) or use another --sink"
        case SparkConnectError.unreachable: "set --remote sc://host:port"
        case EmbeddedBrokerError.notExecutable, EmbeddedBrokerError.cannotStart: "run scripts/setup.sh, or set --tansu PATH"
        case UserIngest.IngestError.publishFailed(_, let reason): hint(for: reason)
        case GroupOffsetResetError.groupHasMembers(let group, _):
            "stop them (SIGTERM to `userstream stream`, close the other consumers) and run it again once `userstream kafka groups \(group)` "
                + "shows no member (a member that did not leave stays until its session timeout, 6 s for `userstream stream`)"
        case GroupOffsetResetError.groupNotFound: "check the name: `userstream kafka groups` lists the groups"
        case DeadLetterError.topicMissing: "check --topic or --dlq-topic (userstream status names the dead-letter topic)"
        case DeadLetterError.groupUnknown: "check --group (userstream kafka groups lists them)"
        case DeadLetterError.groupHasMembers: "set another --group, or stop its members"
        default: nil
        }
    }

    static func hint(for error: KafkaError) -> String? {
        switch error {
        case .noBrokerAnswered, .connectionFailed, .brokersUnreachable: "is Kafka running? set --bootstrap-servers"
        case .unknownTopic(let topic): "create it first: userstream setup, or userstream kafka topics create \(topic)"
        case .missingGroupID: "set --group"
        case .saslMechanismNotOffered: "set --sasl-mechanism accordingly"
        case .saslCredentialsRejected: "check --sasl-username and --sasl-password"
        case .offsetOutOfRange: "--offset-reset earliest or latest moves it to the log's start or end"
        default: nil
        }
    }

    static func hint(for error: SQLiteSinkError) -> String? {
        switch error {
        case .missing: "`userstream setup` or `userstream stream` creates it"
        case .directoryNotWritable: "choose another --sink sqlite:PATH"
        default: nil
        }
    }

    /// A sink setting that cannot be used, as a usage error naming the flag that gave it.
    static func usage(_ error: SinkConfigurationError) -> String {
        switch error {
        case .unknownSink, .missingSQLitePath, .invalidCassandraURL, .invalidKeyspace: "--sink \(error)"
        case .invalidReplication(let text, let problem): "--replication \(text): \(problem)"
        case .invalidConsistency: "--consistency \(error)"
        case .incompleteCredentials(.userNameEmpty): "\(error) — set --sink-username"
        case .incompleteCredentials(.password):
            "\(error) — use --sink-password-file, USERSTREAM_CASSANDRA_PASSWORD or user:password@ in --sink"
        case .incompleteCredentials(.userName):
            "\(error) — use --sink-username, USERSTREAM_CASSANDRA_USERNAME or user:password@ in --sink"
        }
    }

    static func hint(for error: CQLError) -> String? {
        switch error {
        case .authenticationFailed: "check --sink credentials"
        case .authenticationRequired: "put user:password@ in --sink"
        case .connectionFailed: "is Cassandra running and listening for CQL (port 9042)? check --sink"
        case .noHostAvailable: "check that the nodes are up and --sink lists them"
        default: nil
        }
    }
}
