import Crypto
import Foundation

/// The client side of a SCRAM exchange (RFC 5802, RFC 7677), as a pure state machine:
/// it produces the messages to send and checks the server's, without doing any I/O.
public struct SCRAMClient<H: HashFunction>: Sendable {
    enum State: Sendable {
        case initial
        case sentClientFirst(bare: String)
        case sentClientFinal(serverSignature: [UInt8])
        case done
    }

    private let username: String
    private let password: String
    private let clientNonce: String
    private var state: State = .initial

    /// A client for `username`/`password`; the nonce is random unless given (tests pass the RFC's).
    public init(username: String, password: String, nonce: String? = nil) {
        self.username = username
        self.password = password
        self.clientNonce = nonce ?? SCRAMClient.randomNonce()
    }

    /// The client-first message: `n,,n=user,r=nonce`.
    public mutating func clientFirstMessage() -> String {
        let bare = "n=\(SCRAMClient.escape(username)),r=\(clientNonce)"
        state = .sentClientFirst(bare: bare)
        return "n,," + bare
    }

    /// Reads the server-first message and returns the client-final message with the proof.
    public mutating func clientFinalMessage(serverFirst: String) throws(KafkaError) -> String {
        guard case .sentClientFirst(let clientFirstBare) = state else {
            throw .authenticationFailed("SCRAM exchange out of order")
        }
        let attributes = SCRAMClient.attributes(serverFirst)
        guard let nonce = attributes["r"], nonce.hasPrefix(clientNonce),
              let saltText = attributes["s"], let salt = Data(base64Encoded: saltText),
              let iterationText = attributes["i"], let iterations = Int(iterationText), iterations > 0
        else {
            throw .authenticationFailed("the broker's SCRAM challenge is malformed: \(serverFirst)")
        }
        let withoutProof = "c=biws,r=\(nonce)"
        let authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof
        let salted = SCRAMClient.saltedPassword(Array(password.utf8), salt: Array(salt), iterations: iterations)
        let clientKey = SCRAMClient.hmac(key: salted, Array("Client Key".utf8))
        let storedKey = Array(H.hash(data: clientKey))
        let clientSignature = SCRAMClient.hmac(key: storedKey, Array(authMessage.utf8))
        let proof = zip(clientKey, clientSignature).map { $0 ^ $1 }
        let serverKey = SCRAMClient.hmac(key: salted, Array("Server Key".utf8))
        let serverSignature = SCRAMClient.hmac(key: serverKey, Array(authMessage.utf8))
        state = .sentClientFinal(serverSignature: serverSignature)
        return withoutProof + ",p=" + Data(proof).base64EncodedString()
    }

    /// Checks the server-final message: the broker proves it knows the password too.
    public mutating func verify(serverFinal: String) throws(KafkaError) {
        guard case .sentClientFinal(let expected) = state else {
            throw .authenticationFailed("SCRAM exchange out of order")
        }
        let attributes = SCRAMClient.attributes(serverFinal)
        if let error = attributes["e"] {
            throw .authenticationFailed("the broker rejected the SCRAM credentials (\(error)) — check the user name and password")
        }
        guard let v = attributes["v"], let signature = Data(base64Encoded: v), Array(signature) == expected else {
            throw .authenticationFailed("the broker's SCRAM signature does not match — the broker may not be who it claims")
        }
        state = .done
    }

    static func saltedPassword(_ password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        let key = SymmetricKey(data: password)
        var u = Array(HMAC<H>.authenticationCode(for: salt + [0, 0, 0, 1], using: key))
        var result = u
        for _ in 1..<iterations {
            u = Array(HMAC<H>.authenticationCode(for: u, using: key))
            for i in result.indices { result[i] ^= u[i] }
        }
        return result
    }

    static func hmac(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        Array(HMAC<H>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    static func attributes(_ message: String) -> [String: String] {
        var result: [String: String] = [:]
        for part in message.split(separator: ",") {
            guard let eq = part.firstIndex(of: "="), eq != part.startIndex else { continue }
            result[String(part[..<eq])] = String(part[part.index(after: eq)...])
        }
        return result
    }

    static func escape(_ name: String) -> String {
        name.replacingOccurrences(of: "=", with: "=3D").replacingOccurrences(of: ",", with: "=2C")
    }

    static func randomNonce() -> String {
        var bytes = [UInt8](repeating: 0, count: 24)
        var generator = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
    }
}
