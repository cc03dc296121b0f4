import Redaction
import ArgumentParser
import Foundation
import Kafka
import KafkaProtocol
import NIOSSL

/// Flags every `userstream kafka` command shares: where the brokers are and how to authenticate.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .customLong("bootstrap-servers"), help: "Comma-separated host:port list; default 127.0.0.1:9092 (env USERSTREAM_BOOTSTRAP_SERVERS).")
    private var bootstrapServersOption: String?
    var bootstrapServers: String { bootstrapServersOption ?? Environment.string("USERSTREAM_BOOTSTRAP_SERVERS") ?? "127.0.0.1:9092" }

    @Option(name: .long, help: "Client id sent to the broker.")
    var clientId: String = "userstream"

    @Option(name: .customLong("request-timeout"), help: "Request timeout in seconds; default 30.")
    private var requestTimeoutOption: Double?
    var requestTimeout: Double { get throws { try NumberSetting.seconds("--request-timeout").resolve(requestTimeoutOption, default: 30) } }

    @Option(name: .customLong("sasl-mechanism"), help: "SASL mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (env USERSTREAM_SASL_MECHANISM).")
    private var saslMechanismOption: String?
    var saslMechanism: String? { saslMechanismOption ?? Environment.string("USERSTREAM_SASL_MECHANISM") }

    @Option(name: .customLong("sasl-username"), help: "SASL user name (env USERSTREAM_SASL_USERNAME).")
    private var saslUsernameOption: String?
    var saslUsername: String? { saslUsernameOption ?? Environment.string("USERSTREAM_SASL_USERNAME") }

    @Option(name: .customLong("sasl-password"), help: "SASL password (env USERSTREAM_SASL_PASSWORD).")
    private var saslPasswordOption: String?
    var saslPassword: String? { saslPasswordOption ?? Environment.string("USERSTREAM_SASL_PASSWORD") }

    @Flag(name: .long, help: "Connect with TLS.")
    var tls = false

    @Option(name: .long, help: "PEM file of the CA that signed the broker's certificate (implies --tls).")
    var tlsCaFile: String?

    @Flag(name: .long, help: "Do not verify the broker's TLS certificate (testing only).")
    var tlsInsecure = false

    func validate() throws {
        _ = try requestTimeout
        _ = try BootstrapServers.parse(bootstrapServers)
        if saslMechanism == nil, saslUsername != nil || saslPassword != nil {
            throw ValidationError("--sasl-username and --sasl-password need --sasl-mechanism (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512; env USERSTREAM_SASL_MECHANISM)")
        }
    }

    func kafkaConfiguration() throws -> KafkaConfiguration {
        try validate()
        let servers = try BootstrapServers.parse(bootstrapServers)
        var configuration = KafkaConfiguration(
            bootstrapServers: servers,
            clientID: clientId,
            requestTimeout: Duration(seconds: try requestTimeout)
        )
        if let saslMechanism {
            let name = saslMechanism.trimmingCharacters(in: .whitespaces).uppercased()
            guard let mechanism = SASLConfiguration.Mechanism(rawValue: name) else {
                throw ValidationError("unknown SASL mechanism '\(saslMechanism)' — use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
            }
            guard let saslUsername, let saslPassword else {
                throw ValidationError("--sasl-mechanism needs --sasl-username and --sasl-password")
            }
            configuration.sasl = SASLConfiguration(mechanism: mechanism, username: saslUsername, password: saslPassword)
        }
        if tls || tlsCaFile != nil || tlsInsecure {
            var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
            if let tlsCaFile {
                tlsConfiguration.trustRoots = .file(tlsCaFile)
            }
            if tlsInsecure {
                tlsConfiguration.certificateVerification = .none
            }
            configuration.tls = tlsConfiguration
        }
        return configuration
    }
}

/// Writes a line to standard error (summaries and diagnostics; stdout carries data), with any
/// URL's password hidden.
func printError(_ line: String, newline: Bool = true) {
    let line = URLRedaction.redacted(line)
    FileHandle.standardError.write(Data((newline ? line + "\n" : line).utf8))
}
