import Testing
@testable import CQL

/// The library says what happened in Cassandra's terms; which flag fixes it is the program's to say.
@Suite struct CQLErrorDescriptionTests {
    static let everyKind: [CQLError] = [
        .server(CQLServerError(code: .unavailable, message: "no replicas"), host: "db1:9042"),
        .server(CQLServerError(code: .invalid, message: "unconfigured table"), host: "db1:9042"),
        .authenticationFailed(user: "bob", host: "db1:9042", serverMessage: "Provided username bob and/or password are incorrect"),
        .authenticationRequired(host: "db1:9042", authenticator: "org.apache.cassandra.auth.PasswordAuthenticator"),
        .connectionFailed(host: "db1:9042", reason: "connection refused"),
        .connectionLost(host: "db1:9042", reason: "reset by peer"),
        .requestTimedOut(host: "db1:9042", request: "QUERY", timeout: .seconds(12)),
        .protocolVersionRejected(host: "db1:9042", version: .v4, serverMessage: "unsupported"),
        .protocolViolation("bad opcode"),
        .truncated("a string"),
        .invalidValue("cannot bind text to int"),
        .noHostAvailable(attempts: ["db1:9042: could not connect to db1:9042: connection refused"]),
        .schemaAgreementTimedOut(versions: ["db1": "a", "db2": "b"], timeout: .seconds(10)),
        .closed,
    ]

    @Test("no description names a command-line flag or command", arguments: everyKind)
    func namesNoFlag(_ error: CQLError) {
        #expect(!error.description.contains("--"), "\(error)")
        #expect(!error.description.contains("userstream"), "\(error)")
    }

    @Test func descriptionsCarryTheDetailsThemselves() {
        #expect(CQLError.connectionFailed(host: "db1:9042", reason: "connection refused").description
                == "could not connect to db1:9042: connection refused")
        #expect(CQLError.authenticationRequired(host: "db1:9042", authenticator: "PasswordAuthenticator").description
                == "db1:9042 requires authentication (PasswordAuthenticator) and no credentials are configured")
        #expect(CQLError.authenticationFailed(user: "bob", host: "db1:9042", serverMessage: "bad credentials").description
                == "authentication failed for user bob at db1:9042 (bad credentials)")
        #expect(CQLError.noHostAvailable(attempts: ["a: refused", "b: refused"]).description
                == "no Cassandra node could serve the request (a: refused; b: refused)")
    }
}
