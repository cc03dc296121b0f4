import Crypto
import KafkaProtocol
import NIOCore

/// Runs SaslHandshake and SaslAuthenticate on a fresh connection (PLAIN or SCRAM-SHA-256/512).
struct SASLAuthenticator {
    let configuration: SASLConfiguration

    func authenticate(on connection: BrokerConnection) async throws {
        let handshake = try await connection.send(SaslHandshakeRequest(mechanism: configuration.mechanism.rawValue))
        if KafkaErrorCode(rawValue: handshake.errorCode) != .none {
            let mechanism = configuration.mechanism.rawValue
            let offered = handshake.mechanisms.map { String($0.filter { !$0.isWhitespace }) }
            // Only a mechanism missing from the offer is the mechanism's fault; a broker without
            // SASL on this listener answers with another error and may echo the one asked for.
            guard offered.contains(where: { $0.uppercased() == mechanism }) else {
                throw KafkaError.saslMechanismNotOffered(connection.address, mechanism: mechanism, offered: offered)
            }
            throw KafkaError.authenticationFailed(
                "broker \(connection.address) refused the SASL handshake for \(mechanism) with \(KafkaErrorCode(rawValue: handshake.errorCode)) — is SASL enabled on its listener?")
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
        if KafkaErrorCode(rawValue: response.errorCode) != .none {
            throw KafkaError.saslCredentialsRejected(
                connection.address, user: configuration.username, mechanism: configuration.mechanism.rawValue, message: response.errorMessage)
        }
        return String(buffer: response.authBytes)
    }
}
