import Testing
@testable import Kafka

@Suite struct ReconnectWindowTests {
    let t0 = ContinuousClock.now

    @Test func pausesDoubleUpToACapThenStopAtTheEndOfTheWindow() {
        var window = ReconnectWindow(window: .seconds(10))
        let pauses = (0..<7).map { window.failed(at: t0 + .seconds($0)) }
        #expect(pauses == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600), .seconds(2), .seconds(2)])
        #expect(window.failed(at: t0 + .seconds(10)) == nil)
    }

    @Test func aSuccessStartsOver() {
        var window = ReconnectWindow(window: .seconds(10))
        _ = window.failed(at: t0)
        _ = window.failed(at: t0 + .seconds(9))
        window.succeeded()
        #expect(window.failed(at: t0 + .seconds(30)) == .milliseconds(100))
        #expect(window.outage(at: t0 + .seconds(35)) == .seconds(5))
    }

    @Test func unreachableErrorsAreTheOnesAboutConnections() {
        let address = BrokerAddress(host: "h", port: 1)
        #expect(KafkaError.noBrokerAnswered([address], reason: "refused").isUnreachable)
        #expect(KafkaError.connectionClosed(address).isUnreachable)
        #expect(!KafkaError.unknownTopic("t").isUnreachable)
        #expect(!KafkaError.authenticationFailed("no").isUnreachable)
    }
}
