import Testing
@testable import SparkConnect

@Suite struct RemoteAddressTests {
    @Test func parsesHostPortAndParameters() throws {
        let address = try RemoteAddress("sc://spark.local:15003/;token=abc;user_id=ana")
        #expect(address.host == "spark.local")
        #expect(address.port == 15003)
        #expect(address.token == "abc")
        #expect(address.userID == "ana")
    }

    @Test func defaultsThePort() throws {
        #expect(try RemoteAddress("sc://localhost").port == RemoteAddress.defaultPort)
    }

    @Test func rejectsOtherSchemes() {
        #expect(throws: SparkConnectError.self) { try RemoteAddress("http://localhost:15002") }
    }
}
