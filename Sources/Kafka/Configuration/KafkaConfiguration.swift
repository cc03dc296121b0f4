import Foundation
import NIOSSL

/// How to reach and talk to a Kafka cluster; shared by producer, consumer and admin.
public struct KafkaConfiguration: Sendable {
    /// Brokers to ask for the cluster's metadata, `host:port` each.
    public var bootstrapServers: [BrokerAddress]
    /// The client id sent in every request header.
    public var clientID: String
    /// How long to wait for a TCP (and TLS) connection.
    public var connectTimeout: Duration
    /// How long to wait for any one response before failing the request.
    public var requestTimeout: Duration
    /// How often cached metadata is refreshed even without errors.
    public var metadataMaxAge: Duration
    /// How long a running consumer keeps reconnecting to brokers it cannot reach before it
    /// fails (a broker restart takes seconds; a client giving up at once loses its work).
    public var reconnectWindow: Duration
    /// SASL credentials, when the broker requires authentication.
    public var sasl: SASLConfiguration?
    /// TLS settings, when the broker listens with TLS.
    public var tls: TLSConfiguration?

    /// A configuration with defaults that fit a local broker.
    public init(
        bootstrapServers: [BrokerAddress] = [BrokerAddress(host: "127.0.0.1", port: 9092)],
        clientID: String = "userstream",
        connectTimeout: Duration = .seconds(5),
        requestTimeout: Duration = .seconds(30),
        metadataMaxAge: Duration = .seconds(300),
        reconnectWindow: Duration = .seconds(60),
        sasl: SASLConfiguration? = nil,
        tls: TLSConfiguration? = nil
    ) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.metadataMaxAge = metadataMaxAge
        self.reconnectWindow = reconnectWindow
        self.sasl = sasl
        self.tls = tls
    }

    /// Parses a comma-separated `host:port,host:port` list.
    public static func parseBootstrapServers(_ text: String) throws(KafkaError) -> [BrokerAddress] {
        let servers = try text.split(separator: ",").map { (part) throws(KafkaError) -> BrokerAddress in
            try BrokerAddress(parsing: part.trimmingCharacters(in: .whitespaces))
        }
        guard !servers.isEmpty else { throw .configuration("no bootstrap servers given — expected host:port[,host:port…]") }
        return servers
    }
}

/// SASL mechanism and credentials.
public struct SASLConfiguration: Sendable {
    /// The SASL mechanisms this client speaks.
    public enum Mechanism: String, Sendable, CaseIterable {
        case plain = "PLAIN"
        case scramSHA256 = "SCRAM-SHA-256"
        case scramSHA512 = "SCRAM-SHA-512"
    }

    public var mechanism: Mechanism
    public var username: String
    public var password: String

    /// Credentials for `mechanism`.
    public init(mechanism: Mechanism, username: String, password: String) {
        self.mechanism = mechanism
        self.username = username
        self.password = password
    }
}

/// A broker's host and port.
public struct BrokerAddress: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    /// The address `host:port`. An IPv6 host may come in brackets, as brokers advertise it in
    /// metadata (`[::1]`); the brackets are dropped so it is dialled and printed as `[::1]:port`.
    public init(host: String, port: Int) {
        let bracketed = host.count > 2 && host.hasPrefix("[") && host.hasSuffix("]")
        self.host = bracketed ? String(host.dropFirst().dropLast()) : host
        self.port = port
    }

    /// Parses `host:port` (port 9092 when missing; `[v6]:port` for IPv6).
    public init(parsing text: String) throws(KafkaError) {
        var hostPart = Substring(text)
        var port = 9092
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if rest.hasPrefix(":") {
                guard let p = Int(rest.dropFirst()) else { throw .configuration("bad port in '\(text)' — expected host:port") }
                port = p
            }
        } else if let colon = text.lastIndex(of: ":") {
            hostPart = text[..<colon]
            guard let p = Int(text[text.index(after: colon)...]), (1...65535).contains(p) else {
                throw .configuration("bad port in '\(text)' — expected host:port")
            }
            port = p
        }
        guard !hostPart.isEmpty else { throw .configuration("missing host in '\(text)' — expected host:port") }
        self.host = String(hostPart)
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
