import Crypto
import KafkaProtocol
import NIOCore

/// Runs SaslHandshake and SaslAuthenticate on a fresh connection (PLAIN or SCRAM-SHA-256/512).
struct SASLAuthenticator {
    let configuration: SASLConfiguration

    func authenticate(on connection: BrokerConnection) async throws {
        let handshake = try await connection.send(SaslHandshakeRequest(mechanism: configuration.mechanism.rawValue))
        if handshake.errorCode != 0 {
            let offered = handshake.mechanisms.joined(separator: ", ")
            throw KafkaError.authenticationFailed(
                "broker \(connection.address) does not accept SASL mechanism \(configuration.mechanism.rawValue) (it offers: \(offered.isEmpty ? "none" : offered)) — set --sasl-mechanism accordingly")
        }
        switch configuration.mechanism {
        case .plain:
            let message = "\u{0}\(configuration.username)\u{0}\(configuration.password)"
            _ = try await exchange(message, on: connection)
        case .scramSHA256:
            try await scram(SCRAMClient<SHA256>(username: configuration.username, password: configuration.password), on: connection)
        case .scramSHA512:
            try await scram(SCRAMClient<SHA512>(username: configuration.username, password: configuration.password), on: connection)
        }
    }

    private func scram<H: HashFunction>(_ client: SCRAMClient<H>, on connection: BrokerConnection) async throws {
        var client = client
        let serverFirst = try await exchange(client.clientFirstMessage(), on: connection)
        let serverFinal = try await exchange(try client.clientFinalMessage(serverFirst: serverFirst), on: connection)
        try client.verify(serverFinal: serverFinal)
    }

    private func exchange(_ message: String, on connection: BrokerConnection) async throws -> String {
        let response = try await connection.send(SaslAuthenticateRequest(authBytes: ByteBuffer(string: message)))
        if response.errorCode != 0 {
            throw KafkaError.authenticationFailed(
                "broker \(connection.address) rejected user '\(configuration.username)' with \(configuration.mechanism.rawValue)"
                + (response.errorMessage.map { ": \($0)" } ?? "") + " — check --sasl-username and --sasl-password")
        }
        return String(buffer: response.authBytes)
    }
}
