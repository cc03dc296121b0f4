import Testing
@testable import Kafka

@Suite struct BrokerAddressTests {
    @Test("bootstrap lists parse host:port pairs, defaulting the port")
    func parse() throws {
        let servers = try KafkaConfiguration.parseBootstrapServers("127.0.0.1:9092, broker-2 ,[::1]:9093")
        #expect(servers == [BrokerAddress(host: "127.0.0.1", port: 9092), BrokerAddress(host: "broker-2", port: 9092), BrokerAddress(host: "::1", port: 9093)])
    }

    @Test("bad ports and empty lists are rejected with a hint")
    func reject() {
        #expect(throws: KafkaError.self) { try KafkaConfiguration.parseBootstrapServers("host:notaport") }
        #expect(throws: KafkaError.self) { try KafkaConfiguration.parseBootstrapServers("") }
    }

    @Test("an IPv6 host advertised in brackets, as metadata carries it, is dialled and printed once bracketed")
    func bracketedHost() {
        let advertised = BrokerAddress(host: "[::1]", port: 9092)
        #expect(advertised.host == "::1")
        #expect(advertised.description == "[::1]:9092")
        #expect(advertised == BrokerAddress(host: "::1", port: 9092))
        #expect(BrokerAddress(host: "broker-2", port: 9092).description == "broker-2:9092")
    }
}
