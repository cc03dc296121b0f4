import Crypto
import Testing
@testable import Kafka

/// The example exchanges of RFC 5802 §5 (SHA-1) and RFC 7677 §3 (SHA-256).
@Suite struct SCRAMClientTests {
    @Test("RFC 7677 SCRAM-SHA-256 example")
    func rfc7677() throws {
        var client = SCRAMClient<SHA256>(username: "user", password: "pencil", nonce: "rOprNGfwEbeRWgbNEkqO")
        #expect(client.clientFirstMessage() == "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
        let final = try client.clientFinalMessage(
            serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
        #expect(final == "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
        try client.verify(serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
    }

    @Test("RFC 5802 SCRAM-SHA-1 example")
    func rfc5802() throws {
        var client = SCRAMClient<Insecure.SHA1>(username: "user", password: "pencil", nonce: "fyko+d2lbbFgONRv9qkxdawL")
        #expect(client.clientFirstMessage() == "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL")
        let final = try client.clientFinalMessage(
            serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")
        #expect(final == "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=")
        try client.verify(serverFinal: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")
    }

    @Test("a wrong server signature is rejected")
    func wrongSignature() throws {
        var client = SCRAMClient<SHA256>(username: "user", password: "pencil", nonce: "rOprNGfwEbeRWgbNEkqO")
        _ = client.clientFirstMessage()
        _ = try client.clientFinalMessage(
            serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
        #expect(throws: KafkaError.self) { try client.verify(serverFinal: "v=AAAA") }
    }

    @Test("a server nonce that does not extend ours is rejected")
    func foreignNonce() {
        var client = SCRAMClient<SHA512>(username: "user", password: "pencil", nonce: "abc")
        _ = client.clientFirstMessage()
        #expect(throws: KafkaError.self) { try client.clientFinalMessage(serverFirst: "r=xyz,s=QSXCR+Q6sek8bf92,i=4096") }
    }
}
