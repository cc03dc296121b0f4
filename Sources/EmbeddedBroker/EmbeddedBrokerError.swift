import Kafka

/// Why the embedded broker could not be used.
public enum EmbeddedBrokerError: Error, CustomStringConvertible, Equatable {
    /// `binary` is missing or not executable.
    case notExecutable(binary: String)
    /// The broker's log file could not be created.
    case cannotCreateLog(path: String)
    /// The process could not be started.
    case cannotStart(binary: String, reason: String)
    /// The broker ended before it answered; `how` is its exit status or signal.
    case exitedAtStart(how: String, log: String)
    /// The broker runs but did not answer Kafka requests in time.
    case notAnswering(address: BrokerAddress, within: Duration, log: String)
    /// No free loopback port could be found.
    case noFreePort

    public var description: String {
        switch self {
        case .notExecutable(let binary): "cannot start the Tansu broker \(binary): not an executable file"
        case .cannotCreateLog(let path): "cannot create the Tansu broker's log \(path)"
        case .cannotStart(let binary, let reason): "cannot start the Tansu broker \(binary): \(reason)"
        case .exitedAtStart(let how, let log): "the Tansu broker exited at start (\(how)); its log: \(log)"
        case .notAnswering(let address, let within, let log):
            "the Tansu broker did not answer on \(address) within \(within.components.seconds) s; its log: \(log)"
        case .noFreePort: "cannot find a free loopback port for the Tansu broker"
        }
    }
}
